/** A smart-host relay: every message goes to one configured SMTP server. */
import type { RelayConfig } from '../config/config.js';
import type { Transport } from '../core/ports.js';
import type { Target } from './smtp-session.js';
import { settingsOf, type SmtpTransportOptions } from './smtp-settings.js';
import { createSmtpTransport } from './smtp-transport.js';

/** `?tls=insecure` on the relay URL: accept a self-signed or mismatched relay certificate. */
export type RelayTransportConfig = RelayConfig;

/** Sends everything through one smart host, authenticating when the relay URL has credentials. */
export function createRelayTransport(relay: RelayTransportConfig, opts: SmtpTransportOptions): Transport {
  const target: Target = {
    key: `${relay.host}:${relay.port}`,
    name: relay.host,
    connectHost: relay.host,
    port: relay.port,
    secure: relay.secure,
    requireTls: relay.requireTls,
    startTls: true,
    plaintextFallback: false,
    verifyCertificate: !relay.insecureTls,
    ...(relay.user !== undefined ? { auth: { user: relay.user, pass: relay.pass ?? '' } } : {}),
  };
  return createSmtpTransport('relay', settingsOf(opts), async () => ({ ok: true, targets: [[target]] }), 1);
}
