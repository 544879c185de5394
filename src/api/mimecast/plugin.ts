/**
 * Mimecast API 1.0 (docs/vendor-apis.md#mimecast-api-10) and 2.0 (docs/vendor-apis.md): `MC` HMAC auth or a 2.0
 * bearer token, per-route permissions, the {meta,data,fail} envelope, tolerant bodies, rate-limit
 * headers. Everything here stays inside this encapsulated
 * plugin; each API function lives in routes/.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import { createSharedRateLimiter } from '../../core/rate-limit.js';
import type { Gateway } from '../../gateway.js';
import { asMailgateError } from '../fastify-errors.js';
import { authenticateMimecast } from './auth.js';
import { authenticateMimecastBearer, isBearer, mimecastIssuer } from './bearer.js';
import { checkPermission, type Caller, type MimecastContext } from './context.js';
import { mimecastEnvelope, mimecastFailure } from './errors.js';
import { fileUploadRoute } from './routes/file-upload.js';
import { getAccountRoute } from './routes/get-account.js';
import { getInternalUsersRoute } from './routes/get-internal-users.js';
import { getFileRoute } from './routes/get-file.js';
import { getMessageInfoRoute } from './routes/get-message-info.js';
import { messageFinderSearchRoute } from './routes/message-finder-search.js';
import { getHeldReleaseLogsRoute } from './routes/get-held-release-logs.js';
import { getHoldMessageListRoute } from './routes/get-hold-message-list.js';
import { getHoldSummaryListRoute } from './routes/get-hold-summary-list.js';
import { holdRejectRoute } from './routes/hold-reject.js';
import { holdReleaseRoute } from './routes/hold-release.js';
import { sendEmailRoute } from './routes/send-email.js';

/** The route table: one module per API function. */
const ROUTES: Array<(app: FastifyInstance, ctx: MimecastContext) => void> = [
  sendEmailRoute,
  fileUploadRoute,
  messageFinderSearchRoute,
  getMessageInfoRoute,
  getFileRoute,
  getHoldMessageListRoute,
  holdReleaseRoute,
  holdRejectRoute,
  getHoldSummaryListRoute,
  getHeldReleaseLogsRoute,
  getAccountRoute,
  getInternalUsersRoute,
];

export async function mimecastPlugin(app: FastifyInstance, opts: { gateway: Gateway }): Promise<void> {
  const { gateway } = opts;
  const { store, config } = gateway;
  // Several processes on one database must share one budget per key; one process counts in memory.
  const limiter = createSharedRateLimiter(store.capabilities.sharedRateLimits ? store : undefined, config.rateLimitPerMinute, 60_000);

  // Real clients send JSON, Python reprs, octet streams or no Content-Type at all: take bytes, parse per route.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.maxUploadBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const failure = asMailgateError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, 'mimecast request failed');
    // RFC 6750 3: a refused bearer token is named in WWW-Authenticate, so OAuth libraries fetch a new one.
    if ((failure.code === 'auth_token_expired' || failure.code === 'auth_invalid_token') && isBearer(request.headers.authorization)) {
      void reply.header('WWW-Authenticate', `Bearer error="invalid_token", error_description="${failure.message.replace(/["\\]/g, '')}"`);
    }
    void reply.code(failure.httpStatus).send(mimecastEnvelope([], [mimecastFailure(failure)], failure.httpStatus));
  });
  app.setNotFoundHandler((_request, reply) => {
    const failure = new MailgateError('not_found', 'No such API function');
    void reply.code(404).send(mimecastEnvelope([], [mimecastFailure(failure)], 404));
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') throw new MailgateError('method_not_allowed', 'Mimecast API functions are called with POST');
    request.mimecastCaller = await authenticate(request);
    const decision = await limiter.take(request.mimecastCaller.budget, gateway.clock.now());
    void reply.headers({
      'X-RateLimit-Limit': decision.limit,
      'X-RateLimit-Remaining': Math.max(0, decision.remaining),
      'X-RateLimit-Reset': decision.resetMs,
    });
    if (!decision.allowed) {
      // X-RateLimit-Reset is Mimecast's own (milliseconds); Retry-After (RFC 9110, seconds) is what 2.0 clients and HTTP libraries read.
      void reply.header('Retry-After', String(Math.max(1, Math.ceil(decision.resetMs / 1000))));
      throw new MailgateError('rate_limited');
    }
    checkPermission(request.mimecastCaller, request.routeOptions.config.permission);
  });

  /** 1.0's HMAC headers or a 2.0 bearer token: either way a user, whose roles decide what it may call. */
  async function authenticate(request: FastifyRequest): Promise<Caller> {
    const authorization = request.headers.authorization;
    if (isBearer(authorization)) {
      const bearer = await authenticateMimecastBearer(authorization as string, { tokens: gateway.tokens, store, issuer: mimecastIssuer(config.hostname) });
      return { user: bearer.user, budget: `mimecast-oauth:${bearer.clientId}` };
    }
    const caller = await authenticateMimecast(
      { headers: request.headers, path: request.url.split('?')[0] ?? request.url },
      {
        store,
        secrets: gateway.secrets,
        now: gateway.clock.now(),
        clockSkewSeconds: config.clockSkewSeconds,
        replayProtection: config.replayProtection,
        reuseAnsweredByRoute: request.routeOptions.config.idempotent === true,
      },
    );
    return { user: caller.user, budget: `mimecast:${caller.accessKey}`, ...(caller.reusedRequestId ? { reusedRequestId: true } : {}) };
  }

  for (const route of ROUTES) route(app, { gateway });
}
