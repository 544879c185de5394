/** The HTTP server: each dialect is an encapsulated Fastify plugin under its own paths. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Gateway } from '../gateway.js';
import { adminPlugin } from './admin/plugin.js';
import { graphPlugin, graphThrottleFor } from './graph/plugin.js';
import { graphTokenPlugin } from './graph/token.js';
import { mimecastPlugin } from './mimecast/plugin.js';

export async function buildServer(gateway: Gateway): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: gateway.log as FastifyBaseLogger,
    // Large attachments are bounded per route; this is the ceiling for any request.
    bodyLimit: gateway.config.maxUploadBytes,
    // Per-request log lines cost more than a send at full rate; failures are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(mimecastPlugin, { gateway, prefix: '/api' });
  // Graph's v1.0 and beta share one contract and one throttling budget; its token endpoint sits at the root as Entra's does.
  const graphThrottle = graphThrottleFor(gateway);
  await app.register(graphPlugin, { gateway, throttle: graphThrottle, prefix: '/v1.0' });
  await app.register(graphPlugin, { gateway, throttle: graphThrottle, prefix: '/beta' });
  await app.register(graphTokenPlugin, { gateway });
  await app.register(adminPlugin, { gateway, prefix: '/admin/api' });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
