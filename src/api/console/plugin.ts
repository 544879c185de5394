/**
 * The web console's built files (web/ → dist/web by `npm run build`) at `/console/`, over HTTPS
 * only: its session cookie is Secure, so on plain HTTP `/console` redirects to the HTTPS port when
 * that port is fixed, and otherwise says where the console lives (docs/console.md).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../../gateway.js';

/** dist/web at the package root: three levels up from both src/api/console/ and dist/api/console/. */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

// Scripts and styles only from the console itself; the message viewer's iframe adds its own, stricter policy.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https: http:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function onPlainHttp(gateway: Gateway, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  if (request.protocol === 'https') return undefined;
  const port = gateway.config.httpsPort;
  if (port === 0) return reply.code(403).type('text/plain; charset=utf-8').send('The console is served over HTTPS only: open /console/ on the HTTPS port.');
  return reply.redirect(`https://${request.hostname.replace(/:\d+$/, '')}:${port}${request.url}`, 308);
}

export async function consolePlugin(app: FastifyInstance, opts: { gateway: Gateway; root?: string }): Promise<void> {
  const root = opts.root ?? CONSOLE_ASSETS_DIR;
  app.addHook('onRequest', async (request, reply) => {
    if (onPlainHttp(opts.gateway, request, reply)) return reply;
    return undefined;
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  });
  app.get('/console', (_request, reply) => reply.redirect('/console/', 308));
  if (!existsSync(root)) {
    app.get('/console/*', (_request, reply) => reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run npm run build.'));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/console/',
    // Vite names assets by content hash; index.html must be fetched afresh to find the new names.
    setHeaders(res, file) {
      void res.header('cache-control', file.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
}
