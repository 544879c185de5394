/**
 * One compact access-log line per HTTP request, written when the response is sent
 * (docs/operations-logs.md), and the per-request metrics: duration by route pattern and refused
 * credentials by way in. Added to the root app before any dialect plugin, so every route inherits
 * the hooks. Fastify's own request logging stays off: two lines per request cost more than a send.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isMailgateError, type ErrorCode } from '../core/errors.js';
import type { Gateway } from '../gateway.js';
import { codeClass } from '../metrics/registry.js';

/** What the access-log line learns while a request is served. */
export interface RequestContext {
  /** Messages accepted while serving the request, in order (fromClient() hands the list to ingest()). */
  messageIds: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    accessLog?: RequestContext;
  }
}

/** The way in a request belongs to, from its route pattern (LINE WORKS' own port passes a constant). */
export type DialectOf = (route: string) => string;

/** The main port's mounts (api/server.ts). */
export const dialectOfPath: DialectOf = (route) => {
  if (route.startsWith('/works/')) return 'works';
  if (route.startsWith('/admin/')) return 'admin';
  if (route.startsWith('/api/') || route === '/oauth/token') return 'mimecast';
  if (route.startsWith('/v1.0/') || route.startsWith('/beta/') || route.endsWith('/oauth2/v2.0/token')) return 'graph';
  return 'ops';
};

/** Refusals that are not a wrong credential: the check was not made (lockout) or could not be (outage). */
const NOT_A_FAILURE: ReadonlySet<ErrorCode> = new Set(['auth_locked_out', 'auth_attempts_exhausted', 'auth_unavailable']);

/** The authenticated caller's id, whichever dialect authenticated it; never a credential. */
function principalOf(request: FastifyRequest): string | undefined {
  const graph = request.graphCaller;
  return (
    request.mimecastCaller?.user.id ??
    request.worksCaller?.user.id ??
    request.adminCaller?.id ??
    graph?.user?.id ??
    (graph ? `app:${graph.claims.clientId}` : undefined)
  );
}

export function addAccessLog(app: FastifyInstance, gateway: Gateway, dialectOf: DialectOf): void {
  const { metrics } = gateway;
  app.addHook('onRequest', (request, _reply, done) => {
    request.accessLog = { messageIds: [] };
    done();
  });

  app.addHook('onError', async (request, _reply, error) => {
    if (!isMailgateError(error) || !error.code.startsWith('auth_') || NOT_A_FAILURE.has(error.code)) return;
    metrics.authFailures.inc({ way: dialectOf(request.routeOptions.url ?? '') });
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const ms = reply.elapsedTime;
    metrics.httpDuration.observe({ method: request.method, route, status_class: codeClass(reply.statusCode) }, ms / 1000);
    const messageIds = request.accessLog?.messageIds ?? [];
    const principal = principalOf(request);
    // Route pattern, not URL: query strings can carry codes and tokens (OAuth redirects).
    request.log.info(
      {
        method: request.method,
        route,
        status: reply.statusCode,
        ms: Math.round(ms * 10) / 10,
        ip: request.ip,
        ...(principal ? { principal } : {}),
        ...(messageIds.length > 0 ? { messageIds } : {}),
      },
      'http request',
    );
  });
}
