/**
 * The admin API under `/admin/api` (what the console calls): JSON in and out, errors as
 * `{"error":{"code","message","field?"}}` with the core error's HTTP status. Callers sign requests
 * with a user's Mimecast keys (docs/vendor-apis.md#mimecast-api-10, the same check as the Mimecast dialect) and each
 * route names the permission it needs in `config.permission`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasPermission } from '../../auth/roles.js';
import { MailgateError } from '../../core/errors.js';
import { assertJsonDepth } from '../../core/json-depth.js';
import type { Gateway } from '../../gateway.js';
import { asMailgateError } from '../fastify-errors.js';
import { authenticateMimecast } from '../mimecast/auth.js';
import type { AdminContext } from './context.js';
import { validationError } from './schemas.js';
import { identityRoutes } from './routes/identities.js';
import { inboundRoutes } from './routes/inbound.js';
import { queueRoutes } from './routes/queue.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { retentionRoutes } from './routes/retention.js';
import { trackingRoutes } from './routes/tracking.js';

const ROUTES: Array<(app: FastifyInstance, ctx: AdminContext) => void> = [trackingRoutes, retentionRoutes, inboundRoutes, queueRoutes, identityRoutes, suppressionRoutes];

/** The admin error body. */
export function adminError(error: MailgateError): { error: { code: string; message: string; field?: string } } {
  return { error: { code: error.code, message: error.message, ...(error.field !== undefined ? { field: error.field } : {}) } };
}

export async function adminPlugin(app: FastifyInstance, opts: { gateway: Gateway }): Promise<void> {
  const { gateway } = opts;
  // Fastify's own JSON parser (prototype-poisoning checks included), after the nesting limit.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertJsonDepth(String(body));
    } catch (error) {
      done(error as MailgateError, undefined);
      return;
    }
    // Fastify's default parser answers through `done`; its result is nothing to wait for.
    void parseJson(request, String(body), done);
  });
  app.setErrorHandler((error, request, reply) => {
    const failure = validationError(error) ?? asMailgateError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, 'admin request failed');
    void reply.code(failure.httpStatus).send(adminError(failure));
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send(adminError(new MailgateError('not_found', 'No such admin API path')));
  });

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const caller = await authenticateMimecast(
      { headers: request.headers, path: request.url.split('?')[0] ?? request.url },
      {
        store: gateway.store,
        secrets: gateway.secrets,
        now: gateway.clock.now(),
        clockSkewSeconds: gateway.config.clockSkewSeconds,
        replayProtection: gateway.config.replayProtection,
      },
    );
    const permission = request.routeOptions.config.permission;
    // Every admin route names its permission; a route without one is a mistake, not a public path.
    if (!permission || !hasPermission(caller.user.roles, permission)) {
      throw new MailgateError('forbidden', `This operation needs the ${permission ?? 'administrator'} permission`);
    }
    request.adminCaller = caller.user;
  });

  for (const route of ROUTES) route(app, { gateway });
}
