/**
 * Inbound settings in the admin API: hold policies, permitted/blocked senders, DNSBL zones, and
 * the audit log of changes and held-message reviews. Every route needs `Account | Administration
 * | Edit`; every change is audited with the caller as the operator.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import type { Policy } from '../../../core/policy.js';
import { assertSenderList } from '../../../services/inbound-settings.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { inboundSchemas as schemas } from './inbound-schemas.js';

const config = { permission: PERMISSION.admin };

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new MailgateError('malformed_request', 'The body must be a JSON object');
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') throw new MailgateError('field_required', `${name} is required`, name);
  return value;
}

/** The policy fields of a body; an `id` in it is ignored (POST creates one, PUT takes the path's). */
function policyInput(body: Record<string, unknown>): Partial<Policy> & Pick<Policy, 'name' | 'kind'> {
  const fields = { ...(body as Partial<Policy>) };
  delete fields.id;
  return { ...fields, name: stringField(body, 'name'), kind: stringField(body, 'kind') as Policy['kind'] };
}

export function inboundRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const { settings } = gateway;
  const operator = (request: FastifyRequest) => adminCallerOf(request).email;

  app.get('/policies', { config, schema: schemas.listPolicies }, async () => ({ policies: await settings.policies() }));
  app.post('/policies', { config, schema: schemas.createPolicy }, async (request, reply) => reply.code(201).send(await settings.savePolicy(policyInput(bodyOf(request)), operator(request))));
  app.put<{ Params: { id: string } }>('/policies/:id', { config, schema: schemas.replacePolicy }, async (request) =>
    settings.savePolicy({ ...policyInput(bodyOf(request)), id: request.params.id }, operator(request)),
  );
  app.delete<{ Params: { id: string } }>('/policies/:id', { config, schema: schemas.deletePolicy }, async (request, reply) => {
    await settings.deletePolicy(request.params.id, operator(request));
    return reply.code(204).send();
  });

  app.get<{ Params: { list: string } }>('/sender-lists/:list', { config, schema: schemas.listSenders }, async (request) => ({
    entries: await settings.senders(assertSenderList(request.params.list)),
  }));
  app.post<{ Params: { list: string } }>('/sender-lists/:list', { config, schema: schemas.addSender }, async (request, reply) => {
    const body = bodyOf(request);
    const note = typeof body.note === 'string' ? body.note : undefined;
    return reply.code(201).send(await settings.addSender(request.params.list, stringField(body, 'pattern'), note, operator(request)));
  });
  app.delete<{ Params: { list: string; entry: string } }>('/sender-lists/:list/:entry', { config, schema: schemas.removeSender }, async (request, reply) => {
    await settings.removeSender(request.params.list, request.params.entry, operator(request));
    return reply.code(204).send();
  });

  app.get('/dnsbl-zones', { config, schema: schemas.listZones }, async () => ({ zones: await settings.zones() }));
  // The body may be left out: the zone's defaults apply.
  const emptyBody = async (request: FastifyRequest) => void (request.body ??= {});
  app.put<{ Params: { zone: string } }>('/dnsbl-zones/:zone', { config, schema: schemas.putZone, preValidation: emptyBody }, async (request) => {
    const body = bodyOf(request);
    if (body.weight !== undefined && typeof body.weight !== 'number') throw new MailgateError('invalid_type', 'weight must be a number', 'weight');
    return settings.saveZone(
      { zone: request.params.zone, ...(typeof body.kind === 'string' ? { kind: body.kind } : {}), ...(typeof body.weight === 'number' ? { weight: body.weight } : {}) },
      operator(request),
    );
  });
  app.delete<{ Params: { zone: string } }>('/dnsbl-zones/:zone', { config, schema: schemas.removeZone }, async (request, reply) => {
    await settings.removeZone(request.params.zone, operator(request));
    return reply.code(204).send();
  });

  app.get<{ Querystring: { action?: string; limit?: string; offset?: string } }>('/audit', { config, schema: schemas.audit }, async (request) => {
    const limit = Math.min(Number(request.query.limit ?? 100) || 100, 1000);
    const offset = Number(request.query.offset ?? 0) || 0;
    return settings.audit({ ...(request.query.action ? { actions: request.query.action.split(',') } : {}), limit, offset });
  });
}
