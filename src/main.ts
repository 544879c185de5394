/** Composition root: config → store → HTTP, HTTPS + SMTP + delivery workers; graceful close on SIGINT/SIGTERM, TLS reload on SIGHUP. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from './core/ports.js';
import type { Config } from './config/config.js';
import { buildServer, buildWorksServer } from './api/server.js';
import { listenTls, type TlsListener } from './api/tls-listener.js';
import { worksLimiterFor } from './api/works/plugin.js';
import { createGateway, type Gateway } from './gateway.js';
import { startSmtpListener } from './smtp/server.js';
import { certificateFiles } from './tls/certificate-files.js';

export interface RunningServer {
  gateway: Gateway;
  http: FastifyInstance;
  /** The bound HTTP port (useful when the configured port is 0). */
  httpPort: number;
  /** The bound HTTPS port: every route of the HTTP port, over TLS. */
  httpsPort: number;
  /** The certificate a client trusts for the HTTPS and LINE WORKS ports (the generated one, or MAILGATE_HTTP_TLS_CERT). */
  certFile: string;
  /** The bound SMTP port of the inbound listener. */
  smtpPort: number;
  /** The bound HTTPS port of the LINE WORKS listener, when MAILGATE_WORKS_PORT is set. */
  worksPort: number | undefined;
  /** Re-reads MAILGATE_HTTP_TLS_CERT/KEY for new connections (SIGHUP); open connections are kept. */
  reloadTls(): Promise<void>;
  close(): Promise<void>;
}

function boundPort(app: FastifyInstance, fallback: number): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}

/** `options` replace the logger and clock (tests capture logs and move time). */
export async function startServer(config: Config, options: { log?: Logger; clock?: Clock } = {}): Promise<RunningServer> {
  const gateway = await createGateway(config, options);
  // Everything opened so far, closed in reverse if a later listener cannot bind.
  const opened: Array<() => Promise<unknown>> = [() => gateway.close()];
  const closeOpened = () => opened.reverse().reduce((done, close) => done.then(close), Promise.resolve<unknown>(undefined));
  try {
    const files = await certificateFiles({ cert: config.httpTlsCert, key: config.httpTlsKey }, config.dataDir, config.hostname);
    const worksLimiter = worksLimiterFor(gateway);
    const http = await buildServer(gateway, worksLimiter);
    opened.push(() => http.close());
    await http.listen({ host: config.httpHost, port: config.httpPort });
    const httpPort = boundPort(http, config.httpPort);
    const https = await listenTls(http, { host: config.httpHost, port: config.httpsPort, files });
    opened.push(() => https.close());
    let works: TlsListener | undefined;
    let worksApp: FastifyInstance | undefined;
    if (config.worksPort !== undefined) {
      // The vendor's API is https only, so its own clients dial https: this port speaks TLS always.
      const app = (worksApp = await buildWorksServer(gateway, worksLimiter));
      opened.push(() => app.close());
      const listener = (works = await listenTls(app, { host: config.httpHost, port: config.worksPort, files }));
      opened.push(() => listener.close());
    }
    const smtp = await startSmtpListener(gateway);
    opened.push(() => smtp.close());
    gateway.readiness.addListener('http', () => http.server.listening);
    gateway.readiness.addListener('https', () => https.listening());
    if (works) gateway.readiness.addListener('works', works.listening);
    gateway.readiness.addListener('smtp', () => smtp.listening());
    await gateway.startDelivery();
    await gateway.purge.start();
    gateway.uploadSweep.start();
    gateway.digest.start();
    gateway.log.info(
      {
        http: `http://${config.httpHost}:${httpPort}`,
        https: `https://${config.httpHost}:${https.port}`,
        ...(works ? { works: `https://${config.httpHost}:${works.port}` } : {}),
        // The file an HTTPS client trusts (NODE_EXTRA_CA_CERTS, keytool, verify=): see README "HTTPS".
        certificate: files.certFile,
        dataDir: config.dataDir,
        delivery: config.delivery,
      },
      'mailgate started',
    );
    let closing: Promise<void> | undefined;
    return {
      gateway,
      http,
      httpPort,
      httpsPort: https.port,
      certFile: files.certFile,
      smtpPort: smtp.port,
      worksPort: works?.port,
      async reloadTls() {
        await Promise.all([https.reload(), works?.reload()]);
        gateway.log.info({ certificate: files.certFile }, 'tls certificate reloaded');
      },
      close() {
        // Stop taking requests first, then let in-flight deliveries settle, then close the store.
        closing ??= Promise.all([http.close(), https.close(), smtp.close(), works?.close(), worksApp?.close()]).then(() => gateway.close());
        return closing;
      },
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}

/** The CLI's signal handling: SIGINT/SIGTERM close gracefully, SIGHUP reloads the TLS certificate. */
export function closeOnSignals(server: RunningServer): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const { log, config } = server.gateway;
      log.info({ signal, deadlineSeconds: config.shutdownSeconds }, 'mailgate stopping');
      // In-flight work gets MAILGATE_SHUTDOWN_SECONDS; past that (a stuck SMTP peer, say) its leases
      // are given up so that another process or the next start delivers at once, and we exit.
      const deadline = setTimeout(() => {
        log.warn({ seconds: config.shutdownSeconds }, 'shutdown deadline passed: releasing delivery leases and exiting');
        server.gateway.releaseLeases().then(
          (released) => {
            log.info({ released }, 'delivery leases released');
            process.exit(1);
          },
          (error: unknown) => {
            log.error({ err: error }, 'could not release delivery leases; they expire after MAILGATE_LEASE_SECONDS');
            process.exit(1);
          },
        );
      }, config.shutdownSeconds * 1000);
      server.close().then(
        () => {
          clearTimeout(deadline);
          process.exit(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          log.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
    });
  }
  process.on('SIGHUP', () => {
    // A bad file (half-copied, wrong key) keeps the running certificate: the service stays up.
    server.reloadTls().catch((error: unknown) => server.gateway.log.error({ err: error }, 'tls reload failed; keeping the current certificate'));
  });
}
