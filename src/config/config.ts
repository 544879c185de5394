/**
 * One typed configuration, read from MAILGATE_* environment variables and the matching
 * `--kebab-case` flags (flags win). Every option is declared once in OPTIONS; bad values fail
 * fast with an error naming the variable.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { parseNetwork, type Network } from './networks.js';
import { bool, ConfigError, int, secondsList } from './parsers.js';
import { parseRelayUrl, type RelayConfig } from './relay-url.js';

export { ConfigError } from './parsers.js';
export { parseRelayUrl, type RelayConfig } from './relay-url.js';
import { consoleOptions, type ConsoleConfig } from './console-options.js';
import { guessingOptions, type GuessingConfig } from './guessing-options.js';
import { opsOptions, type OpsConfig } from './ops-options.js';
import { digestOptions, type DigestConfig } from './digest-options.js';
import { connectionOptions, type ConnectionConfig } from './connection-options.js';
import { leaseOptions, type LeaseConfig } from './lease-options.js';
import { deliveryThreadOptions, type DeliveryThreadConfig } from './delivery-options.js';
import { suppressionOptions, type SuppressionConfig } from './suppression-options.js';
import { webhookOptions, type WebhookConfig } from './webhook-options.js';

export type DeliveryMode = 'capture' | 'relay' | 'mx';

export interface Config extends GuessingConfig, OpsConfig, DigestConfig, ConnectionConfig, LeaseConfig, DeliveryThreadConfig, SuppressionConfig, ConsoleConfig, WebhookConfig {
  dataDir: string;
  httpHost: string;
  httpPort: number;
  /** Port serving every HTTP route over TLS (`0` = any free port). */
  httpsPort: number;
  /** PEM files for the HTTPS and LINE WORKS listeners (reloaded on SIGHUP); unset = the generated `<data>/tls/https-cert.pem`. */
  httpTlsCert: string | undefined;
  httpTlsKey: string | undefined;
  smtpPort: number;
  /** Listen address of the inbound SMTP listener. */
  smtpHost: string;
  /** PEM files for STARTTLS; unset = a self-signed certificate generated into `<data>/tls`. */
  smtpTlsCert: string | undefined;
  smtpTlsKey: string | undefined;
  /** Clients that may use a local domain's sender without SMTP AUTH (Postfix's mynetworks idea); empty by default. */
  smtpTrustedNetworks: Network[];
  /** DNS servers (`ip` or `ip:port`) for SPF/DKIM/DMARC/ARC and DNSBL lookups; empty = the system's. */
  dnsServers: string[];
  /** Seconds the inbound checks keep a DNS answer (docs/dns-cache.md); 0 = ask every time. */
  dnsCacheSeconds: number;
  /** rspamd's HTTP address; when set its score replaces the built-in rules'. */
  rspamdUrl: string | undefined;
  /** Seconds an unreviewed held message waits before it expires (and is rejected). */
  heldLifetime: number;
  hostname: string;
  localDomains: string[];
  relay: RelayConfig | undefined;
  delivery: DeliveryMode;
  /** `postgres://…` selects the PostgreSQL backend; unset = SQLite in the data dir. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Seconds to wait for a new database connection. */
  databaseConnectTimeout: number;
  /** Seconds a database call keeps retrying while the database is unreachable (then 503). */
  databaseRetrySeconds: number;
  /** Seconds a Mimecast `x-mc-date` may differ from the server clock. */
  clockSkewSeconds: number;
  replayProtection: boolean;
  /** Mimecast requests per minute per access key. */
  rateLimitPerMinute: number;
  /** Graph throttling per app+mailbox: requests per window, the window, and requests in flight. */
  graphRequestLimit: number;
  graphRequestWindowSeconds: number;
  graphConcurrentRequests: number;
  /** Lifetime of the access tokens the Graph token endpoint issues. */
  graphTokenLifetimeSeconds: number;
  /** Lifetime of the Mimecast API 2.0 bearer tokens `POST /oauth/token` issues. */
  mimecastTokenLifetimeSeconds: number;
  /** Port of the LINE WORKS API at the vendor's exact paths (`/v1.0/...`); unset = only under `/works` on the HTTP port. */
  worksPort: number | undefined;
  /** Largest LINE WORKS attachment, per file (the vendor's default is 20 MB, admin-configurable). */
  worksAttachmentMaxBytes: number;
  /** LINE WORKS requests per minute, per operation and caller. */
  worksRateLimitPerMinute: number;
  /** Seconds between delivery attempts, in order; the last entry repeats until expiry. */
  retrySchedule: number[];
  /** Seconds after acceptance when undelivered mail bounces. */
  queueLifetime: number;
  workerConcurrency: number;
  leaseSeconds: number;
  /** Seconds SIGTERM waits for in-flight work before releasing its leases and exiting. */
  shutdownSeconds: number;
  maxMessageBytes: number;
  maxUploadBytes: number;
  mxPort: number;
  /** Days a message's raw content is kept after receipt (tracking summaries stay). */
  retentionDays: number;
  /** Seconds between purge runs. */
  purgeIntervalSeconds: number;
  /** Upload limits per user, Graph session idle expiry, unused-upload retention, sweep interval (docs/vendor-apis.md). */
  uploadQuotaBytes: number;
  uploadSessionsMax: number;
  uploadSessionIdleSeconds: number;
  uploadRetentionSeconds: number;
  uploadSweepIntervalSeconds: number;
  logLevel: string;
}

type Source = Record<string, string | undefined>;

interface Option<K extends keyof Config> {
  key: K;
  env: string;
  parse: (raw: string | undefined, env: string, partial: Partial<Config>) => Config[K];
}

/** A key file that must come with its certificate file (parsed just before it). */
function pemKey(cert: 'httpTlsCert' | 'smtpTlsCert', certEnv: string) {
  return (raw: string | undefined, env: string, partial: Partial<Config>): string | undefined => {
    if (Boolean(raw) !== Boolean(partial[cert])) throw new ConfigError(env, `set both ${certEnv} and ${env}, or neither`);
    return raw ? path.resolve(raw) : undefined;
  };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

const OPTIONS: { [K in keyof Config]: Option<K> } = {
  dataDir: { key: 'dataDir', env: 'MAILGATE_DATA_DIR', parse: (raw) => path.resolve(raw || './data') },
  httpHost: { key: 'httpHost', env: 'MAILGATE_HTTP_HOST', parse: (raw) => raw || '127.0.0.1' },
  httpPort: { key: 'httpPort', env: 'MAILGATE_HTTP_PORT', parse: int(0, 65535, 8025) },
  httpsPort: { key: 'httpsPort', env: 'MAILGATE_HTTPS_PORT', parse: int(0, 65535, 8443) },
  httpTlsCert: { key: 'httpTlsCert', env: 'MAILGATE_HTTP_TLS_CERT', parse: (raw) => (raw ? path.resolve(raw) : undefined) },
  httpTlsKey: { key: 'httpTlsKey', env: 'MAILGATE_HTTP_TLS_KEY', parse: pemKey('httpTlsCert', 'MAILGATE_HTTP_TLS_CERT') },
  smtpPort: { key: 'smtpPort', env: 'MAILGATE_SMTP_PORT', parse: int(0, 65535, 2525) },
  smtpHost: { key: 'smtpHost', env: 'MAILGATE_SMTP_HOST', parse: (raw) => raw || '127.0.0.1' },
  smtpTlsCert: { key: 'smtpTlsCert', env: 'MAILGATE_SMTP_TLS_CERT', parse: (raw) => (raw ? path.resolve(raw) : undefined) },
  smtpTlsKey: { key: 'smtpTlsKey', env: 'MAILGATE_SMTP_TLS_KEY', parse: pemKey('smtpTlsCert', 'MAILGATE_SMTP_TLS_CERT') },
  smtpTrustedNetworks: {
    key: 'smtpTrustedNetworks',
    env: 'MAILGATE_SMTP_TRUSTED_NETWORKS',
    parse: (raw, env) =>
      (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((text) => {
        const network = parseNetwork(text);
        if (!network) throw new ConfigError(env, `expected ip or ip/prefix, got "${text}"`);
        return network;
      }),
  },
  dnsServers: {
    key: 'dnsServers',
    env: 'MAILGATE_DNS_SERVERS',
    parse: (raw, env) => {
      const servers = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      for (const server of servers) {
        if (!isIP(server) && !/^(\d{1,3}(\.\d{1,3}){3}:\d{1,5}|\[[0-9a-f:]+\]:\d{1,5})$/i.test(server)) {
          throw new ConfigError(env, `expected ip or ip:port, got "${server}"`);
        }
      }
      return servers;
    },
  },
  dnsCacheSeconds: { key: 'dnsCacheSeconds', env: 'MAILGATE_DNS_CACHE_SECONDS', parse: int(0, 3600, 60) },
  rspamdUrl: {
    key: 'rspamdUrl',
    env: 'MAILGATE_RSPAMD_URL',
    parse: (raw, env) => {
      if (!raw) return undefined;
      if (!/^https?:\/\/[^/\s]+/.test(raw)) throw new ConfigError(env, `expected http://host:port, got "${raw}"`);
      return raw;
    },
  },
  heldLifetime: { key: 'heldLifetime', env: 'MAILGATE_HELD_LIFETIME_SECONDS', parse: int(60, 365 * 86_400, 14 * 86_400) },
  hostname: {
    key: 'hostname',
    env: 'MAILGATE_HOSTNAME',
    parse: (raw, env) => {
      const value = raw || 'localhost';
      if (!DOMAIN.test(value)) throw new ConfigError(env, `not a host name: "${value}"`);
      return value.toLowerCase();
    },
  },
  localDomains: {
    key: 'localDomains',
    env: 'MAILGATE_LOCAL_DOMAINS',
    parse: (raw, env) => {
      const domains = (raw ?? 'localhost').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
      for (const d of domains) if (!DOMAIN.test(d)) throw new ConfigError(env, `not a domain: "${d}"`);
      return domains;
    },
  },
  relay: {
    key: 'relay',
    env: 'MAILGATE_RELAY_URL',
    parse: (raw, env) => (raw ? parseRelayUrl(raw, env) : undefined),
  },
  delivery: {
    key: 'delivery',
    env: 'MAILGATE_DELIVERY',
    parse: (raw, env, partial) => {
      const value = raw || (partial.relay ? 'relay' : 'capture');
      if (value !== 'capture' && value !== 'relay' && value !== 'mx') {
        throw new ConfigError(env, `must be capture, relay or mx, got "${value}"`);
      }
      if (value === 'relay' && !partial.relay) throw new ConfigError(env, 'relay needs MAILGATE_RELAY_URL');
      return value;
    },
  },
  databaseUrl: {
    key: 'databaseUrl',
    env: 'MAILGATE_DATABASE_URL',
    parse: (raw, env) => {
      if (!raw) return undefined;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new ConfigError(env, 'not a URL; expected postgres://user:password@host:5432/database');
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        throw new ConfigError(env, `scheme must be postgres:// or postgresql://, got "${url.protocol}//"`);
      }
      return raw;
    },
  },
  databasePoolSize: { key: 'databasePoolSize', env: 'MAILGATE_DATABASE_POOL_SIZE', parse: int(1, 1000, 10) },
  databaseConnectTimeout: { key: 'databaseConnectTimeout', env: 'MAILGATE_DATABASE_CONNECT_TIMEOUT_SECONDS', parse: int(1, 600, 5) },
  databaseRetrySeconds: { key: 'databaseRetrySeconds', env: 'MAILGATE_DATABASE_RETRY_SECONDS', parse: int(0, 3600, 30) },
  clockSkewSeconds: { key: 'clockSkewSeconds', env: 'MAILGATE_CLOCK_SKEW_SECONDS', parse: int(0, 86_400, 900) },
  replayProtection: { key: 'replayProtection', env: 'MAILGATE_REPLAY_PROTECTION', parse: bool(false) },
  rateLimitPerMinute: { key: 'rateLimitPerMinute', env: 'MAILGATE_RATE_LIMIT_PER_MINUTE', parse: int(1, 10_000_000, 6000) },
  // Graph's documented Outlook limits (docs/vendor-apis.md#microsoft-graph): 10,000 requests per 10 minutes, 4 concurrent.
  graphRequestLimit: { key: 'graphRequestLimit', env: 'MAILGATE_GRAPH_REQUEST_LIMIT', parse: int(1, 10_000_000, 10_000) },
  graphRequestWindowSeconds: {
    key: 'graphRequestWindowSeconds',
    env: 'MAILGATE_GRAPH_REQUEST_WINDOW_SECONDS',
    parse: int(1, 86_400, 600),
  },
  graphConcurrentRequests: { key: 'graphConcurrentRequests', env: 'MAILGATE_GRAPH_CONCURRENT_REQUESTS', parse: int(1, 10_000, 4) },
  ...guessingOptions(),
  ...opsOptions(),
  ...connectionOptions(),
  ...leaseOptions(),
  ...deliveryThreadOptions(),
  ...suppressionOptions(),
  ...consoleOptions(),
  ...webhookOptions(),
  graphTokenLifetimeSeconds: {
    key: 'graphTokenLifetimeSeconds',
    env: 'MAILGATE_GRAPH_TOKEN_LIFETIME_SECONDS',
    parse: int(60, 86_400, 3600),
  },
  // Mimecast API 2.0 documents `expires_in: 1800`: its bearer tokens live 30 minutes (docs/vendor-apis.md).
  mimecastTokenLifetimeSeconds: { key: 'mimecastTokenLifetimeSeconds', env: 'MAILGATE_MIMECAST_TOKEN_LIFETIME_SECONDS', parse: int(60, 86_400, 1800) },
  worksPort: {
    key: 'worksPort',
    env: 'MAILGATE_WORKS_PORT',
    parse: (raw, env) => (raw === undefined || raw === '' ? undefined : int(0, 65535, 0)(raw, env)),
  },
  // the LINE WORKS Send mail page (docs/vendor-apis.md#sending): "A file of up to 20 MB can be attached. The maximum size … can be set by the administrator."
  worksAttachmentMaxBytes: {
    key: 'worksAttachmentMaxBytes',
    env: 'MAILGATE_WORKS_ATTACHMENT_MAX_BYTES',
    parse: int(1, 1 << 30, 20 * 1024 * 1024),
  },
  // docs/vendor-apis.md#line-works-api-20: 240 requests per minute per operation.
  worksRateLimitPerMinute: { key: 'worksRateLimitPerMinute', env: 'MAILGATE_WORKS_RATE_LIMIT_PER_MINUTE', parse: int(1, 10_000_000, 240) },
  retrySchedule: {
    key: 'retrySchedule',
    env: 'MAILGATE_RETRY_SCHEDULE',
    parse: secondsList('60,300,900,1800,3600,7200,14400'),
  },
  queueLifetime: { key: 'queueLifetime', env: 'MAILGATE_QUEUE_LIFETIME_SECONDS', parse: int(1, 60 * 86_400, 5 * 86_400) },
  workerConcurrency: { key: 'workerConcurrency', env: 'MAILGATE_WORKER_CONCURRENCY', parse: int(0, 1000, 16) },
  leaseSeconds: { key: 'leaseSeconds', env: 'MAILGATE_LEASE_SECONDS', parse: int(1, 86_400, 300) },
  shutdownSeconds: { key: 'shutdownSeconds', env: 'MAILGATE_SHUTDOWN_SECONDS', parse: int(1, 3600, 30) },
  maxMessageBytes: { key: 'maxMessageBytes', env: 'MAILGATE_MAX_MESSAGE_BYTES', parse: int(1024, 1 << 30, 50 * 1024 * 1024) },
  maxUploadBytes: { key: 'maxUploadBytes', env: 'MAILGATE_MAX_UPLOAD_BYTES', parse: int(1024, 1 << 30, 50 * 1024 * 1024) },
  mxPort: { key: 'mxPort', env: 'MAILGATE_MX_PORT', parse: int(1, 65535, 25) },
  retentionDays: { key: 'retentionDays', env: 'MAILGATE_RETENTION_DAYS', parse: int(1, 36_500, 30) },
  purgeIntervalSeconds: { key: 'purgeIntervalSeconds', env: 'MAILGATE_PURGE_INTERVAL_SECONDS', parse: int(1, 7 * 86_400, 3600) },
  uploadQuotaBytes: { key: 'uploadQuotaBytes', env: 'MAILGATE_UPLOAD_QUOTA_BYTES', parse: int(1024, Number.MAX_SAFE_INTEGER, 1024 ** 3) },
  uploadSessionsMax: { key: 'uploadSessionsMax', env: 'MAILGATE_UPLOAD_SESSIONS_MAX', parse: int(1, 100_000, 20) },
  uploadSessionIdleSeconds: { key: 'uploadSessionIdleSeconds', env: 'MAILGATE_UPLOAD_SESSION_IDLE_SECONDS', parse: int(1, 7 * 86_400, 900) },
  uploadRetentionSeconds: { key: 'uploadRetentionSeconds', env: 'MAILGATE_UPLOAD_RETENTION_SECONDS', parse: int(1, 365 * 86_400, 86_400) },
  uploadSweepIntervalSeconds: { key: 'uploadSweepIntervalSeconds', env: 'MAILGATE_UPLOAD_SWEEP_INTERVAL_SECONDS', parse: int(1, 86_400, 60) },
  logLevel: {
    key: 'logLevel',
    env: 'MAILGATE_LOG_LEVEL',
    parse: (raw, env) => {
      const value = raw || 'info';
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(value)) {
        throw new ConfigError(env, `unknown log level "${value}"`);
      }
      return value;
    },
  },
  // Last: their defaults and checks read the local domains, host name and HTTPS port above.
  ...digestOptions(),
};

/** `MAILGATE_HTTP_PORT` ↔ `--http-port`. */
export function flagFor(env: string): string {
  return '--' + env.replace(/^MAILGATE_/, '').toLowerCase().replace(/_/g, '-');
}

export const CONFIG_VARIABLES: readonly string[] = Object.values(OPTIONS).map((o) => o.env);

/** Reads `--flag value` and `--flag=value` pairs that name config options; other args are returned. */
export function splitConfigFlags(argv: readonly string[]): { flags: Source; rest: string[] } {
  const byFlag = new Map(CONFIG_VARIABLES.map((env) => [flagFor(env), env]));
  const flags: Source = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const env = byFlag.get(name);
    if (!env) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(env, `flag ${name} needs a value`);
    flags[env] = value;
  }
  return { flags, rest };
}

export function loadConfig(env: Source = process.env, flags: Source = {}): Config {
  const partial: Partial<Config> = {};
  for (const option of Object.values(OPTIONS) as Array<Option<keyof Config>>) {
    const raw = flags[option.env] ?? env[option.env];
    (partial as Record<string, unknown>)[option.key] = option.parse(raw, option.env, partial);
  }
  return partial as Config;
}
