/** Composition root: config → store → HTTP + SMTP + delivery workers; graceful close on SIGINT/SIGTERM. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from './core/ports.js';
import type { Config } from './config/config.js';
import { buildServer, buildWorksServer } from './api/server.js';
import { worksLimiterFor } from './api/works/plugin.js';
import { createGateway, type Gateway } from './gateway.js';
import { startSmtpListener } from './smtp/server.js';

export interface RunningServer {
  gateway: Gateway;
  http: FastifyInstance;
  /** The bound HTTP port (useful when the configured port is 0). */
  httpPort: number;
  /** The bound SMTP port of the inbound listener. */
  smtpPort: number;
  /** The bound port of the LINE WORKS listener, when MAILGATE_WORKS_PORT is set. */
  worksPort: number | undefined;
  close(): Promise<void>;
}

/** `options` replace the logger and clock (tests capture logs and move time). */
export async function startServer(config: Config, options: { log?: Logger; clock?: Clock } = {}): Promise<RunningServer> {
  const gateway = await createGateway(config, options);
  const worksLimiter = worksLimiterFor(gateway);
  const http = await buildServer(gateway, worksLimiter);
  await http.listen({ host: config.httpHost, port: config.httpPort });
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.httpPort;
  const works = config.worksPort === undefined ? undefined : await buildWorksServer(gateway, worksLimiter);
  await works?.listen({ host: config.httpHost, port: config.worksPort });
  const worksAddress = works?.server.address();
  const worksPort = typeof worksAddress === 'object' && worksAddress ? worksAddress.port : config.worksPort;
  const smtp = await startSmtpListener(gateway);
  gateway.startDelivery();
  await gateway.purge.start();
  gateway.uploadSweep.start();
  gateway.log.info(
    {
      http: `http://${config.httpHost}:${httpPort}`,
      ...(worksPort === undefined ? {} : { works: `http://${config.httpHost}:${worksPort}` }),
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
    smtpPort: smtp.port,
    worksPort,
    close() {
      // Stop taking requests first, then let in-flight deliveries settle, then close the store.
      closing ??= Promise.all([http.close(), smtp.close(), works?.close()]).then(() => gateway.close());
      return closing;
    },
  };
}

export function closeOnSignals(server: RunningServer): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.gateway.log.info({ signal }, 'mailgate stopping');
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          server.gateway.log.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
    });
  }
}
