/**
 * Admin suppression list (docs/bounces.md): `GET /suppressions`, `POST /suppressions`
 * (`{address, reason?, expiresAt?}`) and `DELETE /suppressions/:address`.
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { responses } from '../schemas.js';

const entry = {
  type: 'object',
  required: ['address', 'reason', 'sourceMessageId', 'createdBy', 'createdAt', 'expiresAt'],
  properties: {
    address: { type: 'string' },
    reason: { type: 'string' },
    sourceMessageId: { type: ['string', 'null'], description: 'The message whose hard bounce added the address.' },
    createdBy: { type: 'string', description: '"system" for bounces, else the operator.' },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const listSchema = {
  summary: 'Addresses in force on the suppression list',
  tags: ['suppressions'],
  response: responses({ 200: { type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: entry } } } }),
} as const;

const addSchema = {
  summary: 'Add (or renew) an address',
  tags: ['suppressions'],
  body: {
    type: 'object',
    required: ['address'],
    additionalProperties: false,
    properties: { address: { type: 'string', minLength: 1 }, reason: { type: 'string', maxLength: 500 }, expiresAt: { type: 'string', format: 'date-time' } },
  },
  response: responses({ 201: entry }),
} as const;

const removeSchema = {
  summary: 'Remove an address',
  tags: ['suppressions'],
  params: { type: 'object', required: ['address'], properties: { address: { type: 'string', minLength: 1 } } },
  response: responses({ 204: null }),
} as const;

type AddBody = { address: string; reason?: string; expiresAt?: string };

export function suppressionRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const read = { permission: PERMISSION.trackingRead };
  const edit = { permission: PERMISSION.admin };
  const { suppressions } = gateway;

  app.get('/suppressions', { config: read, schema: listSchema }, async () => ({ entries: await suppressions.list() }));

  app.post<{ Body: AddBody }>(
    '/suppressions',
    { config: edit, schema: addSchema },
    async (request, reply) => {
      const { address, reason, expiresAt } = request.body;
      const at = expiresAt === undefined ? undefined : Date.parse(expiresAt);
      if (at !== undefined && !Number.isFinite(at)) throw new MailgateError('invalid_value', 'expiresAt must be an ISO 8601 date', 'expiresAt');
      const added = await suppressions.add({ address, ...(reason !== undefined ? { reason } : {}), ...(at !== undefined ? { expiresAt: at } : {}) }, adminCallerOf(request).email);
      return reply.code(201).send(added);
    },
  );

  app.delete<{ Params: { address: string } }>(
    '/suppressions/:address',
    { config: edit, schema: removeSchema },
    async (request, reply) => {
      await suppressions.remove(request.params.address, adminCallerOf(request).email);
      return reply.code(204).send();
    },
  );
}
