/**
 * Microsoft Graph mail (Graph's sendMail page (docs/vendor-apis.md#sendmail-and-drafts), docs/vendor-apis.md#microsoft-graph), mounted under `/v1.0` and `/beta`: bearer
 * tokens from mailgate's own token endpoint, per-route permissions, per app+mailbox throttling,
 * Graph's error body. Everything stays inside this encapsulated plugin; routes live in routes/.
 */
import type { FastifyInstance } from 'fastify';
import { tenantIdFor } from '../../auth/tenant.js';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import { asMailgateError } from '../fastify-errors.js';
import { authenticateGraph, checkGraphPermission, graphIssuer, resolveMailbox } from './auth.js';
import type { GraphContext } from './context.js';
import { graphError, graphErrorBody } from './errors.js';
import { attachmentRoutes } from './routes/attachments.js';
import { draftRoutes } from './routes/drafts.js';
import { messageRoutes } from './routes/messages.js';
import { sendMailRoute } from './routes/send-mail.js';
import { uploadSessionRoutes } from './routes/upload-session.js';
import { setGraphRequestIdHeaders } from './request-ids.js';
import { createGraphThrottle, isThrottled, type GraphThrottle } from './throttle.js';

/** The route table: one module per resource. */
const ROUTES: Array<(app: FastifyInstance, ctx: GraphContext) => void> = [
  sendMailRoute,
  draftRoutes,
  attachmentRoutes,
  uploadSessionRoutes,
  messageRoutes,
];

export async function graphPlugin(app: FastifyInstance, opts: { gateway: Gateway; throttle: GraphThrottle }): Promise<void> {
  const { gateway, throttle } = opts;
  const { store, config } = gateway;
  const issuer = graphIssuer(config.hostname, tenantIdFor(config.hostname));

  // JSON, base64 MIME as text/plain, octet-stream chunks: every route reads its own bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const failure = asMailgateError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, 'graph request failed');
    if (isThrottled(failure)) void reply.header('Retry-After', String(failure.retryAfterSeconds));
    const { status } = graphError(failure);
    if (status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="", error="invalid_token"');
    // The same ids as the headers, even for failures raised before the onRequest hook set them.
    const ids = setGraphRequestIdHeaders(request, reply);
    void reply.code(status).send(graphErrorBody(failure, ids));
  });
  app.setNotFoundHandler(async (request) => {
    const segment = request.url.split('?')[0]?.split('/').filter(Boolean).pop() ?? '';
    throw new MailgateError('invalid_value', `Resource not found for the segment '${segment}'.`, 'url');
  });

  app.addHook('onRequest', async (request, reply) => {
    setGraphRequestIdHeaders(request, reply);
    const permission = request.routeOptions.config.graphPermission;
    // Upload URLs carry their own credential; unknown paths answer 400 from the not-found handler.
    if (permission === undefined || permission === 'none') return;
    const caller = await authenticateGraph(request.headers.authorization, { tokens: gateway.tokens, store, issuer });
    const mailbox = await resolveMailbox(caller, (request.params as { userId?: string }).userId, store);
    checkGraphPermission(caller, permission);
    request.graphCaller = caller;
    request.graphMailbox = mailbox;
    const release = await throttle.admit(`${caller.claims.clientId}:${mailbox.user.id}`, gateway.clock.now());
    reply.raw.once('close', release);
  });

  for (const route of ROUTES) route(app, { gateway, throttle });
}

/** One throttle shared by `/v1.0` and `/beta`: they are one API with one budget per app+mailbox. */
export function graphThrottleFor(gateway: Gateway): GraphThrottle {
  const { config } = gateway;
  return createGraphThrottle(gateway.store, {
    requests: config.graphRequestLimit,
    windowSeconds: config.graphRequestWindowSeconds,
    concurrent: config.graphConcurrentRequests,
  });
}
