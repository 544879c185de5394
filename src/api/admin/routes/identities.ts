/**
 * Admin identities: list users, Mimecast keys, OAuth apps and DKIM keys; remove users and DKIM
 * keys, revoke keys and apps (docs/identities.md). Every route needs `Account | Administration | Edit`;
 * every change is audited with the caller as the operator.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { identitySchemas as schemas } from './identity-schemas.js';

export function identityRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const { identities } = gateway;
  const config = { permission: PERMISSION.admin };
  const operator = (request: FastifyRequest) => adminCallerOf(request).email;

  app.get('/users', { config, schema: schemas.listUsers }, async () => ({ users: await identities.users() }));
  app.delete<{ Params: { email: string } }>('/users/:email', { config, schema: schemas.removeUser }, async (request) =>
    identities.removeUser(request.params.email, operator(request)),
  );

  app.get('/keys', { config, schema: schemas.listKeys }, async () => ({ keys: await identities.keys() }));
  app.post<{ Params: { accessKey: string } }>('/keys/:accessKey/revoke', { config, schema: schemas.revokeKey }, async (request) =>
    identities.revokeKey(request.params.accessKey, operator(request)),
  );

  app.get('/apps', { config, schema: schemas.listApps }, async () => ({ apps: await identities.apps() }));
  app.post<{ Params: { clientId: string } }>('/apps/:clientId/revoke', { config, schema: schemas.revokeApp }, async (request) =>
    identities.revokeApp(request.params.clientId, operator(request)),
  );

  app.get('/dkim-keys', { config, schema: schemas.listDkimKeys }, async () => ({ keys: await identities.dkimKeys() }));
  app.post<{ Body: { domain: string; selector?: string; algorithm?: string } }>('/dkim-keys', { config, schema: schemas.createDkimKey }, async (request, reply) =>
    reply.code(201).send(await identities.createDkimKey(request.body, operator(request))),
  );
  app.delete<{ Params: { domain: string; selector: string } }>('/dkim-keys/:domain/:selector', { config, schema: schemas.removeDkimKey }, async (request, reply) => {
    await identities.removeDkimKey(request.params.domain, request.params.selector, operator(request));
    return reply.code(204).send();
  });
}
