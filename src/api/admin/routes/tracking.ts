/**
 * Admin tracking: `POST /tracking/search` (the message-finder search with ISO 8601 dates),
 * `GET /tracking/messages/:id` (the full tracking record; the view is audited) and
 * `GET /tracking/messages/:id/components/:index` (one MIME component, as bytes).
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { isMessageStatus, isRoute, type SearchCriteria } from '../../../tracking/search.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { componentSchema, searchSchema, traceSchema } from './tracking-schemas.js';

type Body = Record<string, unknown>;

function text(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MailgateError('invalid_type', `${key} must be a string`, key);
  return value;
}

function isoDate(body: Body, key: string): number | undefined {
  const value = text(body, key);
  if (value === undefined) return undefined;
  // Date.parse also takes loose forms; the console and scripts send ISO 8601, so insist on its shape.
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(at)) throw new MailgateError('invalid_value', `${key} must be an ISO 8601 date`, key);
  return at;
}

/** The admin search body as tracking criteria. */
export function adminSearchCriteria(raw: unknown): SearchCriteria {
  const body: Body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Body) : {};
  const criteria: SearchCriteria = {};
  const start = isoDate(body, 'start');
  const end = isoDate(body, 'end');
  if (start !== undefined) criteria.start = start;
  if (end !== undefined) criteria.end = end;
  for (const [key, target] of [
    ['messageId', 'internetMessageId'],
    ['from', 'from'],
    ['to', 'to'],
    ['subject', 'subject'],
    ['senderIp', 'senderIp'],
    ['dialect', 'source'],
    ['pageToken', 'pageToken'],
  ] as const) {
    const value = text(body, key);
    if (value !== undefined) criteria[target] = value;
  }
  const route = text(body, 'route');
  if (route !== undefined) {
    if (!isRoute(route)) throw new MailgateError('invalid_value', 'route must be inbound, outbound or internal', 'route');
    criteria.route = route;
  }
  const status = text(body, 'status');
  if (status !== undefined) {
    if (!isMessageStatus(status)) throw new MailgateError('invalid_value', 'status must be queued, held, delivered, partial, bounced or rejected', 'status');
    criteria.status = status;
  }
  const order = text(body, 'order');
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') throw new MailgateError('invalid_value', 'order must be asc or desc', 'order');
    criteria.order = order;
  }
  if (body.pageSize !== undefined) {
    if (typeof body.pageSize !== 'number') throw new MailgateError('invalid_type', 'pageSize must be a number', 'pageSize');
    criteria.pageSize = body.pageSize;
  }
  return criteria;
}

export function trackingRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const config = { permission: PERMISSION.trackingRead };

  app.post('/tracking/search', { config, schema: searchSchema }, async (request) => gateway.tracking.search(adminSearchCriteria(request.body)));

  app.get<{ Params: { id: string } }>('/tracking/messages/:id', { config, schema: traceSchema }, async (request) => {
    const trace = await gateway.tracking.trace(request.params.id, { by: adminCallerOf(request).email, via: 'admin-api' });
    if (!trace) throw new MailgateError('not_found', `No message has the id ${request.params.id}`, 'id');
    return trace;
  });

  app.get<{ Params: { id: string; index: string } }>('/tracking/messages/:id/components/:index', { config, schema: componentSchema }, async (request, reply) => {
    const index = /^\d+$/.test(request.params.index) ? Number(request.params.index) : NaN;
    if (!Number.isSafeInteger(index)) throw new MailgateError('invalid_value', 'index must be a position (0, 1, …)', 'index');
    const found = await gateway.tracking.component(request.params.id, index);
    if (found.kind !== 'found') {
      const why = {
        no_message: [`No message has the id ${request.params.id}`, 'id'],
        no_component: [`The message has no component ${index}`, 'index'],
        purged: ['The message content has been purged (retention)', 'id'],
      }[found.kind];
      throw new MailgateError('not_found', why[0], why[1]);
    }
    return reply
      .header('content-type', found.mimeType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(found.name)}`)
      .send(found.content);
  });
}
