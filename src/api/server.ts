/** The HTTP server: each dialect is an encapsulated Fastify plugin under its own paths. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Gateway } from '../gateway.js';
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
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
