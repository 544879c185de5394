/**
 * Admin retention: litigation holds (`GET/POST /retention/holds`, `DELETE /retention/holds/:id`)
 * and `POST /retention/purge` (run a purge pass now, e.g. after lowering the period).
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import type { HoldRequest } from '../../../tracking/litigation-holds.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { retentionSchemas } from './tracking-schemas.js';

function holdRequest(raw: unknown): HoldRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MailgateError('malformed_request', 'The body must be a JSON object');
  const body = raw as Record<string, unknown>;
  const string = (key: string): string | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new MailgateError('invalid_type', `${key} must be a string`, key);
    return value;
  };
  const description = string('description');
  if (description === undefined) throw new MailgateError('field_required', 'description is required', 'description');
  const request: HoldRequest = { description };
  const messageId = string('messageId');
  const address = string('address');
  const expires = string('expiresAt');
  if (messageId !== undefined) request.messageId = messageId;
  if (address !== undefined) request.address = address;
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (!Number.isFinite(at)) throw new MailgateError('invalid_value', 'expiresAt must be an ISO 8601 date', 'expiresAt');
    request.expiresAt = at;
  }
  return request;
}

export function retentionRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const config = { permission: PERMISSION.admin };
  const { holds } = gateway;

  app.get<{ Querystring: { all?: string } }>('/retention/holds', { config, schema: retentionSchemas.list }, async (request) => ({
    holds: await holds.list(request.query.all === 'true'),
  }));

  app.post('/retention/holds', { config, schema: retentionSchemas.place }, async (request, reply) => {
    const hold = await holds.place(holdRequest(request.body), adminCallerOf(request).email);
    return reply.code(201).send(hold);
  });

  app.delete<{ Params: { id: string } }>('/retention/holds/:id', { config, schema: retentionSchemas.release }, async (request, reply) => {
    await holds.release(request.params.id, adminCallerOf(request).email);
    return reply.code(204).send();
  });

  app.post('/retention/purge', { config, schema: retentionSchemas.purge }, async () => ({ purged: await gateway.purge.runOnce() }));
}
