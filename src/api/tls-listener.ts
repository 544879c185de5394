/**
 * Serves an already-built Fastify app over TLS on a port of its own: the same routes, hooks and
 * limiter state as the app's plain HTTP port, because it is the same instance (`app.routing`).
 * The key and certificate are re-read by reload() and swapped with setSecureContext, which affects
 * new handshakes only: open connections carry on with the context they began with.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { readTlsMaterial, type CertificateFiles } from '../tls/certificate-files.js';

export interface TlsListener {
  port: number;
  /** Still bound (readiness). */
  listening(): boolean;
  /** Re-reads the PEM files; on failure the running certificate stays and the error is thrown. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

// TLS 1.0/1.1 are deprecated (RFC 8996); every client the vendors document speaks 1.2.
const MIN_VERSION = 'TLSv1.2';

async function secureContext(files: CertificateFiles): Promise<SecureContextOptions> {
  const { key, cert } = await readTlsMaterial(files);
  return { key, cert, minVersion: MIN_VERSION };
}

export async function listenTls(
  app: FastifyInstance,
  options: { host: string; port: number; files: CertificateFiles },
): Promise<TlsListener> {
  await app.ready();
  // A client that never finishes its handshake is held to the same silence limit as a plain one.
  const handshakeTimeout = app.server.timeout > 0 ? app.server.timeout : undefined;
  const server: Server = createServer({ ...(await secureContext(options.files)), ...(handshakeTimeout ? { handshakeTimeout } : {}) }, (req, res) => app.routing(req, res));
  // The plain port's Fastify defaults, so both ports treat slow and idle clients alike.
  server.keepAliveTimeout = app.server.keepAliveTimeout;
  server.requestTimeout = app.server.requestTimeout;
  server.headersTimeout = app.server.headersTimeout;
  server.maxRequestsPerSocket = app.server.maxRequestsPerSocket;
  server.maxConnections = app.server.maxConnections;
  server.timeout = app.server.timeout;
  server.on('tlsClientError', (error) => app.log.debug({ err: error }, 'tls handshake failed'));
  server.listen(options.port, options.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]: unknown[]) => Promise.reject(error instanceof Error ? error : new Error(String(error)))),
  ]);
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    listening: () => server.listening,
    async reload() {
      server.setSecureContext(await secureContext(options.files));
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections between requests would hold close() open for keepAliveTimeout.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
