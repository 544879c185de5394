/**
 * The admin API under `/admin/api` (what the console calls): JSON in and out, errors as
 * `{"error":{"code","message","field?"}}` with the core error's HTTP status. Callers sign requests
 * with a user's Mimecast keys (docs/vendor-apis.md#mimecast-api-10, the same check as the Mimecast dialect), or
 * the web console calls with its session cookie and CSRF header (caller.ts); each route names the
 * permission it needs in `config.permission`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasPermission } from '../../auth/roles.js';
import { MailgateError } from '../../core/errors.js';
import { assertJsonDepth } from '../../core/json-depth.js';
import type { Gateway } from '../../gateway.js';
import { asMailgateError } from '../fastify-errors.js';
import fastifyCookie from '@fastify/cookie';
import { adminCaller } from './caller.js';
import type { AdminContext } from './context.js';
import { validationError } from './schemas.js';
import { identityRoutes } from './routes/identities.js';
import { inboundRoutes } from './routes/inbound.js';
import { queueRoutes } from './routes/queue.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { retentionRoutes } from './routes/retention.js';
import { trackingRoutes } from './routes/tracking.js';
import { sessionRoutes } from './routes/session.js';
import { overviewRoutes } from './routes/overview.js';
import { messageContentRoutes } from './routes/message-content.js';
import { heldRoutes } from './routes/held.js';
import { webhookRoutes } from './routes/webhooks.js';

const ROUTES: Array<(app: FastifyInstance, ctx: AdminContext) => void> = [
  sessionRoutes,
  overviewRoutes,
  trackingRoutes,
  messageContentRoutes,
  heldRoutes,
  retentionRoutes,
  inboundRoutes,
  queueRoutes,
  identityRoutes,
  suppressionRoutes,
  webhookRoutes,
];

/** The admin error body. */
export function adminError(error: MailgateError): { error: { code: string; message: string; field?: string } } {
  return { error: { code: error.code, message: error.message, ...(error.field !== undefined ? { field: error.field } : {}) } };
}

/** The largest admin API request body. */
const ADMIN_BODY_LIMIT = 256 * 1024;

export async function adminPlugin(app: FastifyInstance, opts: { gateway: Gateway }): Promise<void> {
  const { gateway } = opts;
  // Fastify's own JSON parser (prototype-poisoning checks included), after the nesting limit.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // Admin bodies are small settings; sign-in is read before any credential, so it is bounded well
  // below the upload ceiling of the other routes (docs/request-limits.md).
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: ADMIN_BODY_LIMIT }, (request, body, done) => {
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

  await app.register(fastifyCookie);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const { permission, access } = request.routeOptions.config;
    // Signing in is the one way to call without credentials; the session routes need any caller.
    if (access === 'sign-in') return;
    const caller = await adminCaller(request, gateway);
    request.adminCaller = caller;
    if (access === 'any-caller') return;
    // Every other admin route names its permission; a route without one is a mistake, not a public path.
    if (!permission || !hasPermission(caller.roles, permission)) {
      throw new MailgateError('forbidden', `This operation needs the ${permission ?? 'administrator'} permission`);
    }
  });

  for (const route of ROUTES) route(app, { gateway });
}
