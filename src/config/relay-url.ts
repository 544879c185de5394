/** `MAILGATE_RELAY_URL`: `smtp://[user:pass@]host:port[?starttls=required][&tls=insecure]` or `smtps://…`. */
import { ConfigError } from './parsers.js';

export interface RelayConfig {
  host: string;
  port: number;
  /** smtps:// = implicit TLS; smtp:// upgrades with STARTTLS when offered (required with ?starttls=required). */
  secure: boolean;
  requireTls: boolean;
  /** `?tls=insecure`: accept a relay certificate that does not verify (self-signed test relays). */
  insecureTls: boolean;
  user?: string;
  pass?: string;
}

export function parseRelayUrl(raw: string, env = 'MAILGATE_RELAY_URL'): RelayConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(env, `not a URL: "${raw}"`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError(env, `scheme must be smtp:// or smtps://, got "${url.protocol}//"`);
  }
  if (!url.hostname) throw new ConfigError(env, 'missing host');
  const secure = url.protocol === 'smtps:';
  const starttls = url.searchParams.get('starttls');
  if (starttls !== null && starttls !== 'required' && starttls !== 'opportunistic') {
    throw new ConfigError(env, `starttls must be "required" or "opportunistic", got "${starttls}"`);
  }
  const tls = url.searchParams.get('tls');
  if (tls !== null && tls !== 'insecure' && tls !== 'verify') {
    throw new ConfigError(env, `tls must be "verify" or "insecure", got "${tls}"`);
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    requireTls: starttls === 'required',
    insecureTls: tls === 'insecure',
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { pass: decodeURIComponent(url.password) } : {}),
  };
}
