/** The quarantine digest options (docs/quarantine-digest.md), declared beside config.ts's OPTIONS and spread into it. */
import { ConfigError, int } from './parsers.js';

export interface DigestConfig {
  /** Local domains whose recipients get quarantine digests; empty (the default) = no digests. */
  digestDomains: string[];
  /** Seconds per digest period: each recipient gets at most one scheduled digest per period. */
  digestIntervalSeconds: number;
  /** Seconds a digest's links stay usable. */
  digestLinkLifetimeSeconds: number;
  /** Where the digest links point: the HTTPS listener as recipients reach it. */
  digestBaseUrl: string;
}

interface Known {
  localDomains?: string[];
  hostname?: string;
  httpsPort?: number;
}

/** `partial` holds the options parsed before these (they are spread last into OPTIONS). */
export function digestOptions() {
  return {
    digestDomains: {
      key: 'digestDomains',
      env: 'MAILGATE_DIGEST_DOMAINS',
      parse: (raw: string | undefined, env: string, partial: Known): string[] => {
        const domains = (raw ?? '').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
        const local = partial.localDomains ?? [];
        for (const d of domains) if (!local.includes(d)) throw new ConfigError(env, `"${d}" is not one of MAILGATE_LOCAL_DOMAINS`);
        return domains;
      },
    },
    digestIntervalSeconds: { key: 'digestIntervalSeconds', env: 'MAILGATE_DIGEST_INTERVAL_SECONDS', parse: int(60, 30 * 86_400, 86_400) },
    digestLinkLifetimeSeconds: {
      key: 'digestLinkLifetimeSeconds',
      env: 'MAILGATE_DIGEST_LINK_LIFETIME_SECONDS',
      parse: int(60, 90 * 86_400, 7 * 86_400),
    },
    digestBaseUrl: {
      key: 'digestBaseUrl',
      env: 'MAILGATE_DIGEST_BASE_URL',
      parse: (raw: string | undefined, env: string, partial: Known): string => {
        const port = partial.httpsPort === 443 || !partial.httpsPort ? '' : `:${partial.httpsPort}`;
        const value = raw || `https://${partial.hostname ?? 'localhost'}${port}`;
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          throw new ConfigError(env, `not a URL: "${value}"`);
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(env, `expected https://host[:port], got "${value}"`);
        return url.origin + url.pathname.replace(/\/+$/, '');
      },
    },
  } as const;
}
