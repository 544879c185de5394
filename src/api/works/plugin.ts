/**
 * LINE WORKS API 2.0 mail (the LINE WORKS Send mail page (docs/vendor-apis.md#sending), docs/vendor-apis.md#line-works-api-20), mounted under `/works/v1.0` on the HTTP port
 * and at `/v1.0` on `MAILGATE_WORKS_PORT`: bearer tokens from the Works token endpoint, per-route
 * scopes, 240 requests per minute per operation, `{"code","description"}` errors. Everything stays
 * inside this encapsulated plugin; routes live in routes/.
 */
import type { FastifyInstance } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import { createSharedRateLimiter, type RateDecision } from '../../core/rate-limit.js';
import type { Gateway } from '../../gateway.js';
import { asMailgateError } from '../fastify-errors.js';
import { authenticateWorks, checkWorksScope, resolveWorksUser, worksIssuer } from './auth.js';
import { param, type WorksContext } from './context.js';
import { worksError, worksErrorBody } from './errors.js';
import { attachmentRoutes } from './routes/attachments.js';
import { mailFolderRoutes } from './routes/mail-folders.js';
import { mailRoutes } from './routes/mail.js';
import { sendMailRoute } from './routes/send-mail.js';
import { unreadCountRoute } from './routes/unread-count.js';

/** The route table: one module per resource. */
const ROUTES: Array<(app: FastifyInstance, ctx: WorksContext) => void> = [
  sendMailRoute,
  mailFolderRoutes,
  unreadCountRoute,
  mailRoutes,
  attachmentRoutes,
];

/** One budget per operation and user, shared by both mounts (and by all processes on a shared database). */
export interface WorksLimiter {
  take(key: string, now: number): Promise<RateDecision>;
}

export function worksLimiterFor(gateway: Gateway): WorksLimiter {
  const { store, config } = gateway;
  return createSharedRateLimiter(store.capabilities.sharedRateLimits ? store : undefined, config.worksRateLimitPerMinute, 60_000);
}

export async function worksPlugin(app: FastifyInstance, opts: { gateway: Gateway; limiter: WorksLimiter }): Promise<void> {
  const { gateway, limiter } = opts;
  const { store, config } = gateway;
  const issuer = worksIssuer(config.hostname);

  // Clients send JSON with or without its Content-Type (Python `data=json.dumps(...)`): routes parse bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const failure = asMailgateError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, 'works request failed');
    const { status } = worksError(failure);
    if (status === 401) void reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
    void reply.code(status).send(worksErrorBody(failure));
  });
  app.setNotFoundHandler(async (request) => {
    throw new MailgateError('not_found', `No API at ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });

  app.addHook('onRequest', async (request, reply) => {
    const { worksScope, worksOperation } = request.routeOptions.config;
    if (worksScope === undefined || worksOperation === undefined) return;
    const caller = await authenticateWorks(request.headers.authorization, { tokens: gateway.tokens, store, issuer });
    const decision = await limiter.take(`works:${worksOperation}:${caller.user.id}`, gateway.clock.now());
    // docs/vendor-apis.md#line-works-api-20: the reset is in seconds.
    void reply.headers({
      'rateLimit-limit': decision.limit,
      'rateLimit-remaining': Math.max(0, decision.remaining),
      'rateLimit-reset': Math.max(0, Math.ceil(decision.resetMs / 1000)),
    });
    if (!decision.allowed) throw new MailgateError('rate_limited', 'API rate limit exceeded');
    checkWorksScope(caller, worksScope);
    request.worksCaller = caller;
    request.worksUser = await resolveWorksUser(caller, param(request, 'userId'), store);
  });

  for (const route of ROUTES) route(app, { gateway });
}
