/**
 * The inbound SMTP listener (smtp-server): mail for the local domains from anyone (as an MX),
 * relaying only for clients that authenticated with a local user's password (submission). Every
 * message goes through ingest(), like the APIs'; the reply to DATA names the queue id. What
 * happens at each step of a session is in session-hooks.ts.
 */
import dns from 'node:dns';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Gateway } from '../gateway.js';
import { sessionHooks } from './session-hooks.js';
import { observeSessions } from './session-observer.js';
import { loadTlsMaterial } from './tls.js';

export interface SmtpListener {
  port: number;
  /** Still bound (readiness). */
  listening(): boolean;
  close(): Promise<void>;
}

const BANNER = 'mailgate';

function reverseResolver(servers: readonly string[]): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([...servers]);
  return resolver;
}

/** Starts listening on MAILGATE_SMTP_HOST:MAILGATE_SMTP_PORT. */
export async function startSmtpListener(gateway: Gateway): Promise<SmtpListener> {
  const { config, log } = gateway;
  const tls = await loadTlsMaterial(config);
  const server = new SMTPServer({
    name: config.hostname,
    banner: BANNER,
    key: tls.key,
    cert: tls.cert,
    size: config.maxMessageBytes,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    // AUTH only inside TLS: passwords never cross the wire in the clear.
    allowInsecureAuth: false,
    // Not implemented behind the listener, so not advertised.
    hideDSN: true,
    hideREQUIRETLS: true,
    logger: false,
    // Slow and idle clients (docs/request-limits.md#slow-clients).
    socketTimeout: config.smtpSocketTimeoutSeconds * 1000,
    maxClients: config.smtpMaxClients,
    // The client's host name comes from the configured DNS servers, like every other lookup.
    ...(config.dnsServers.length > 0 ? { resolver: reverseResolver(config.dnsServers) } : {}),
    ...observeSessions(sessionHooks(gateway, `220 ${config.hostname} ESMTP ${BANNER}`), gateway),
  });

  server.on('error', (error) => log.warn({ err: error }, 'smtp connection error'));
  server.listen(config.smtpPort, config.smtpHost);
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  log.info({ smtp: `${config.smtpHost}:${port}`, tls: tls.generated ? 'self-signed' : 'configured' }, 'smtp listener started');
  return {
    port,
    listening: () => server.server.listening,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
