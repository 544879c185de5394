/**
 * Admin identities: create and list users, Mimecast keys, OAuth apps and DKIM keys; check a DKIM
 * key's DNS record; remove users and DKIM keys, revoke keys and apps (docs/identities.md). Every route needs `Account | Administration | Edit`;
 * every change is audited with the caller as the operator.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { tenantIdFor } from '../../../auth/tenant.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { identitySchemas as schemas } from './identity-schemas.js';

export function identityRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const { identities } = gateway;
  const config = { permission: PERMISSION.admin };
  const operator = (request: FastifyRequest) => adminCallerOf(request).email;

  app.get('/users', { config, schema: schemas.listUsers }, async () => ({ users: await identities.users() }));
  app.post<{ Body: { email: string; name?: string; roles?: string[]; password?: string } }>('/users', { config, schema: schemas.createUser }, async (request, reply) =>
    reply.code(201).send(await identities.createUser(request.body, operator(request))),
  );
  app.delete<{ Params: { email: string } }>('/users/:email', { config, schema: schemas.removeUser }, async (request) =>
    identities.removeUser(request.params.email, operator(request)),
  );

  app.get('/keys', { config, schema: schemas.listKeys }, async () => ({ keys: await identities.keys() }));
  app.post<{ Body: { user: string; appName?: string; expiresAt?: string } }>('/keys', { config, schema: schemas.createKeys }, async (request, reply) => {
    const { user, appName, expiresAt } = request.body;
    const keys = await identities.createKeys({ email: user, expiresAt: expiresAt === undefined ? null : Date.parse(expiresAt), ...(appName ? { appName } : {}) }, operator(request));
    return reply.code(201).send(keys);
  });
  app.post<{ Params: { accessKey: string } }>('/keys/:accessKey/revoke', { config, schema: schemas.revokeKey }, async (request) =>
    identities.revokeKey(request.params.accessKey, operator(request)),
  );

  app.get('/apps', { config, schema: schemas.listApps }, async () => ({ apps: await identities.apps() }));
  app.post<{ Body: { name?: string; permissions?: string[]; user?: string } }>('/apps', { config, schema: schemas.createApp }, async (request, reply) => {
    const created = await identities.createApp(request.body, operator(request));
    return reply.code(201).send({ tenantId: tenantIdFor(gateway.config.hostname), ...created });
  });
  app.post<{ Params: { clientId: string } }>('/apps/:clientId/revoke', { config, schema: schemas.revokeApp }, async (request) =>
    identities.revokeApp(request.params.clientId, operator(request)),
  );

  app.get('/dkim-keys', { config, schema: schemas.listDkimKeys }, async () => ({ keys: await identities.dkimKeys() }));
  app.post<{ Body: { domain: string; selector?: string; algorithm?: string } }>('/dkim-keys', { config, schema: schemas.createDkimKey }, async (request, reply) =>
    reply.code(201).send(await identities.createDkimKey(request.body, operator(request))),
  );
  app.get<{ Params: { domain: string; selector: string } }>('/dkim-keys/:domain/:selector/dns', { config, schema: schemas.checkDkimDns }, async (request) =>
    identities.checkDkimDns(request.params.domain, request.params.selector),
  );
  app.delete<{ Params: { domain: string; selector: string } }>('/dkim-keys/:domain/:selector', { config, schema: schemas.removeDkimKey }, async (request, reply) => {
    await identities.removeDkimKey(request.params.domain, request.params.selector, operator(request));
    return reply.code(204).send();
  });
}
