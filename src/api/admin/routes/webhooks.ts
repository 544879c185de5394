/**
 * Admin webhooks (docs/webhooks.md): `GET/POST /webhooks`, `GET/DELETE /webhooks/:id`,
 * `POST /webhooks/:id/enable`, `GET /webhooks/:id/log`. The secret is in the 201 answer only.
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { webhookSchemas as schemas } from './webhook-schemas.js';

type ById = { Params: { id: string } };

export function webhookRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const { webhooks } = gateway;
  const config = { permission: PERMISSION.admin };

  app.get('/webhooks', { config, schema: schemas.list }, async () => ({ webhooks: await webhooks.list() }));

  app.post<{ Body: { url: string; events?: string[] } }>('/webhooks', { config, schema: schemas.add }, async (request, reply) =>
    reply.code(201).send(await webhooks.add(request.body, adminCallerOf(request).email)),
  );

  app.get<ById>('/webhooks/:id', { config, schema: schemas.show }, (request) => webhooks.get(request.params.id));

  app.delete<ById>('/webhooks/:id', { config, schema: schemas.remove }, async (request, reply) => {
    await webhooks.remove(request.params.id);
    return reply.code(204).send();
  });

  app.post<ById>('/webhooks/:id/enable', { config, schema: schemas.enable }, (request) => webhooks.enable(request.params.id));

  app.get<ById & { Querystring: { limit: number } }>('/webhooks/:id/log', { config, schema: schemas.log }, async (request) => ({
    attempts: await webhooks.log(request.params.id, request.query.limit),
  }));
}
