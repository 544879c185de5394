/** The HTTP server: each dialect is an encapsulated Fastify plugin under its own paths. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Gateway } from '../gateway.js';
import { adminApi } from './admin/openapi.js';
import { consolePlugin } from './console/plugin.js';
import { graphPlugin, graphThrottleFor } from './graph/plugin.js';
import { graphTokenPlugin } from './graph/token.js';
import { mimecastPlugin } from './mimecast/plugin.js';
import { addRetryAfterOn503 } from './retry-after.js';
import { mimecastTokenPlugin } from './mimecast/token.js';
import { worksLimiterFor, worksPlugin, type WorksLimiter } from './works/plugin.js';
import { worksTokenPlugin } from './works/token.js';
import { addAccessLog, dialectOfPath } from './access-log.js';
import { addBodyMemoryBudget } from './body-memory.js';
import { opsRoutes } from './ops-routes.js';
import { quarantinePlugin } from './quarantine/plugin.js';

function newApp(gateway: Gateway): FastifyInstance {
  const { config } = gateway;
  const app = Fastify({
    loggerInstance: gateway.log as FastifyBaseLogger,
    // Large attachments are bounded per route; this is the ceiling for any request.
    bodyLimit: config.maxUploadBytes,
    // One compact line per request is written by access-log.ts instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Slow and idle clients (docs/request-limits.md#slow-clients); the HTTPS listener copies these.
    connectionTimeout: config.httpConnectionTimeoutSeconds * 1000,
    requestTimeout: config.httpRequestTimeoutSeconds * 1000,
    keepAliveTimeout: config.httpKeepAliveSeconds * 1000,
    maxRequestsPerSocket: config.httpMaxRequestsPerSocket,
  });
  // Node refuses a headers timeout longer than the request timeout.
  app.server.headersTimeout = Math.min(config.httpHeadersTimeoutSeconds, config.httpRequestTimeoutSeconds) * 1000;
  app.server.maxConnections = config.httpMaxConnections;
  addRetryAfterOn503(app);
  addBodyMemoryBudget(app, gateway);
  return app;
}

export async function buildServer(gateway: Gateway, works: WorksLimiter = worksLimiterFor(gateway)): Promise<FastifyInstance> {
  const app = newApp(gateway);
  addAccessLog(app, gateway, dialectOfPath);
  await app.register(mimecastPlugin, { gateway, prefix: '/api' });
  // Mimecast API 2.0 takes its bearer tokens from `/oauth/token` at the root, beside 1.0's `/api`.
  await app.register(mimecastTokenPlugin, { gateway });
  // Graph's v1.0 and beta share one contract and one throttling budget; its token endpoint sits at the root as Entra's does.
  const graphThrottle = graphThrottleFor(gateway);
  await app.register(graphPlugin, { gateway, throttle: graphThrottle, prefix: '/v1.0' });
  await app.register(graphPlugin, { gateway, throttle: graphThrottle, prefix: '/beta' });
  await app.register(graphTokenPlugin, { gateway });
  await app.register(adminApi, { gateway, prefix: '/admin/api' });
  await app.register(consolePlugin, { gateway });
  // LINE WORKS' `/v1.0/users/...` collides with Graph's, so here it lives under `/works`.
  await app.register(worksPlugin, { gateway, limiter: works, prefix: '/works/v1.0' });
  await app.register(worksTokenPlugin, { gateway, prefix: '/works/oauth2/v2.0' });
  opsRoutes(app, gateway);
  // Recipients' digest links: pages, not an API (docs/quarantine-digest.md).
  await app.register(quarantinePlugin, { gateway });
  return app;
}

/** LINE WORKS at the vendor's exact paths, for MAILGATE_WORKS_PORT; `works` is the budget shared with the main port's mount. */
export async function buildWorksServer(gateway: Gateway, works: WorksLimiter): Promise<FastifyInstance> {
  const app = newApp(gateway);
  addAccessLog(app, gateway, () => 'works');
  await app.register(worksPlugin, { gateway, limiter: works, prefix: '/v1.0' });
  await app.register(worksTokenPlugin, { gateway, prefix: '/oauth2/v2.0' });
  opsRoutes(app, gateway);
  return app;
}
