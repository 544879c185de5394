/**
 * The operator's endpoints at the root of every HTTP listener (docs/operations-metrics.md):
 * `/metrics` (Prometheus), `/livez` (the process answers), `/readyz` (store, disk, listeners) and
 * `/healthz`, kept as an alias of `/livez` for the probes and scripts that already use it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { networkMatcher, parseNetwork, type Network } from '../config/networks.js';
import type { Gateway } from '../gateway.js';

const LOOPBACK = networkMatcher(['127.0.0.0/8', '::1'].map((n) => parseNetwork(n) as Network));

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Compares digests, so neither the token's length nor its first differing byte shows in the timing. */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Without MAILGATE_METRICS_TOKEN only loopback clients may scrape; with it, anyone with the token. */
function refuseScrape(request: FastifyRequest, reply: FastifyReply, token: string | undefined): boolean {
  if (token === undefined) {
    if (LOOPBACK(request.socket.remoteAddress ?? '')) return false;
    void reply.code(403).send({ error: 'forbidden', message: '/metrics answers loopback clients only; set MAILGATE_METRICS_TOKEN to scrape from elsewhere' });
    return true;
  }
  const given = bearerOf(request);
  if (given !== undefined && sameToken(given, token)) return false;
  void reply
    .code(401)
    .header('WWW-Authenticate', 'Bearer realm="mailgate metrics"')
    .send({ error: 'unauthorized', message: 'Authorization: Bearer <MAILGATE_METRICS_TOKEN> is required' });
  return true;
}

export function opsRoutes(app: FastifyInstance, gateway: Gateway): void {
  const { metrics, readiness, config } = gateway;
  const startedAt = Date.now();
  const live = async () => ({
    status: 'ok',
    checks: { process: { ok: true, detail: `pid ${process.pid}, up ${Math.round((Date.now() - startedAt) / 1000)} s` } },
  });

  app.get('/metrics', async (request, reply) => {
    if (refuseScrape(request, reply, config.metricsToken)) return reply;
    const text = await metrics.scrape();
    return reply.header('Content-Type', metrics.registry.contentType).header('Cache-Control', 'no-store').send(text);
  });
  app.get('/livez', live);
  app.get('/healthz', live);
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness.check();
    return reply.code(report.status === 'ready' ? 200 : 503).header('Cache-Control', 'no-store').send(report);
  });
}
