/** DKIM-signs outbound mail with the sender domain's newest key (mailauth does the signing). */
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { MailgateError } from '../core/errors.js';
import { systemClock } from '../core/ports.js';
import type { Clock, Signer } from '../core/ports.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Store } from '../store/store.js';

export interface DkimSignerOptions {
  /** How long a looked-up key (or its absence) is reused; 60 s by default. */
  cacheMs?: number;
  clock?: Clock;
}

interface ReadyKey {
  selector: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  privateKeyPem: string;
}

interface CacheEntry {
  until: number;
  key: Promise<ReadyKey | undefined>;
}

/** Creates a Signer that looks keys up in the store and caches them decrypted for a short while. */
export function createDkimSigner(keys: Pick<Store, 'getDkimKey'>, secrets: SecretBox, options: DkimSignerOptions = {}): Signer {
  const cacheMs = options.cacheMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  const cache = new Map<string, CacheEntry>();

  async function load(domain: string): Promise<ReadyKey | undefined> {
    const record = await keys.getDkimKey(domain);
    if (!record) return undefined;
    return { selector: record.selector, algorithm: record.algorithm, privateKeyPem: secrets.open(record.privateKeyEnc) };
  }

  function lookup(domain: string): Promise<ReadyKey | undefined> {
    const now = clock.now();
    const hit = cache.get(domain);
    if (hit && hit.until > now) return hit.key;
    // The promise is cached, not the value, so a burst of sends for one domain shares one lookup.
    const key = load(domain);
    cache.set(domain, { until: now + cacheMs, key });
    key.catch(() => cache.delete(domain));
    // Expired entries of domains that stop sending would otherwise stay forever.
    if (cache.size > 1000) for (const [name, entry] of cache) if (entry.until <= now) cache.delete(name);
    return key;
  }

  return {
    async sign(raw: Buffer, domain: string): Promise<Buffer> {
      const signingDomain = domain.trim().toLowerCase();
      const key = await lookup(signingDomain);
      if (!key) return raw;
      const entry = {
        signingDomain,
        selector: key.selector,
        privateKey: key.privateKeyPem,
        algorithm: key.algorithm,
        canonicalization: 'relaxed/relaxed',
      };
      // mailauth reads only `signatureData`; the top-level copy just satisfies its type
      // declaration. No `headerList`: its default is the usual RFC 6376 5.4.1 set, and an array
      // (as the typings suggest) is silently ignored in favour of that default anyway.
      const result = await dkimSign(raw, { ...entry, signTime: new Date(clock.now()), signatureData: [entry] });
      if (result.errors.length) {
        const first = result.errors[0] as unknown as { err?: Error } | Error;
        const reason = first instanceof Error ? first.message : (first.err?.message ?? 'unknown error');
        throw new MailgateError('internal', `DKIM signing for ${signingDomain} failed: ${reason}`);
      }
      // A message mailauth cannot find headers in yields no signature and no error, only "\r\n".
      if (!result.signatures.trim()) throw new MailgateError('internal', `DKIM signing for ${signingDomain} produced no signature`);
      // mailauth returns the headers with a trailing CRLF, ready to be put on top.
      return Buffer.concat([Buffer.from(result.signatures, 'utf8'), raw]);
    },
  };
}
