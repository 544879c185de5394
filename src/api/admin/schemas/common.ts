/** JSON schema pieces shared by admin routes (validation, serialisation and the OpenAPI document). */
// Brings @fastify/swagger's schema keywords (summary, tags) into route schemas' types.
import type {} from '@fastify/swagger';

/** The admin error body (plugin.ts adminError). */
export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
} as const;

export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

/** A message id in a path. */
export const messageIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
