/**
 * Admin webhooks (docs/webhooks.md): `GET/POST /webhooks`, `GET/DELETE /webhooks/:id`,
 * `POST /webhooks/:id/enable`, `GET /webhooks/:id/log`. The secret is in the 201 answer only.
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { WEBHOOK_EVENT_TYPES } from '../../../core/webhook-events.js';
import { adminCallerOf, type AdminContext } from '../context.js';

const nullableString = { type: ['string', 'null'] } as const;
const eventType = { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } as const;
const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } } },
  },
} as const;

const webhook = {
  type: 'object',
  required: ['id', 'url', 'events', 'enabled', 'disabledReason', 'disabledAt', 'failures', 'nextAttemptAt', 'createdBy', 'createdAt'],
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: eventType, description: 'Subscribed types; empty = every type' },
    enabled: { type: 'boolean' },
    disabledReason: nullableString,
    disabledAt: nullableString,
    failures: { type: 'integer', description: 'Consecutive failed attempts' },
    nextAttemptAt: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

const attempt = {
  type: 'object',
  required: ['eventId', 'type', 'at', 'ok', 'status', 'error', 'durationMs'],
  properties: {
    eventId: { type: 'string' },
    type: eventType,
    at: { type: 'string' },
    ok: { type: 'boolean' },
    status: { type: ['integer', 'null'] },
    error: nullableString,
    durationMs: { type: 'integer' },
  },
} as const;

const byId = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

export function webhookRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const { webhooks } = gateway;
  const config = { permission: PERMISSION.admin };

  app.get('/webhooks', { config, schema: { response: { 200: { type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: webhook } } }, '4xx': error } } }, async () => ({
    webhooks: await webhooks.list(),
  }));

  app.post<{ Body: { url: string; events?: string[] } }>(
    '/webhooks',
    {
      config,
      schema: {
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: { url: { type: 'string' }, events: { type: 'array', items: { type: 'string' } } },
        },
        response: {
          201: { type: 'object', required: ['id', 'secret'], properties: { id: { type: 'string' }, secret: { type: 'string', description: 'Shown this once' } } },
          '4xx': error,
        },
      },
    },
    async (request, reply) => reply.code(201).send(await webhooks.add(request.body, adminCallerOf(request).email)),
  );

  app.get<{ Params: { id: string } }>('/webhooks/:id', { config, schema: { params: byId, response: { 200: webhook, '4xx': error } } }, (request) =>
    webhooks.get(request.params.id),
  );

  app.delete<{ Params: { id: string } }>('/webhooks/:id', { config, schema: { params: byId, response: { 204: { type: 'null' }, '4xx': error } } }, async (request, reply) => {
    await webhooks.remove(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/webhooks/:id/enable', { config, schema: { params: byId, response: { 200: webhook, '4xx': error } } }, (request) =>
    webhooks.enable(request.params.id),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/webhooks/:id/log',
    {
      config,
      schema: {
        params: byId,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: { type: 'object', required: ['attempts'], properties: { attempts: { type: 'array', items: attempt } } }, '4xx': error },
      },
    },
    async (request) => ({ attempts: await webhooks.log(request.params.id, request.query.limit ?? 100) }),
  );
}
