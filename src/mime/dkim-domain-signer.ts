/** DKIM-signs outbound mail with the sender domain's newest key, parsed once per cache period. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { MailgateError } from '../core/errors.js';
import { prepend } from '../core/message-bytes.js';
import { systemClock } from '../core/ports.js';
import type { Clock, SignOptions, Signer } from '../core/ports.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Store } from '../core/storage/store.js';
import { dkimSignatureHeader } from './dkim-signature.js';

export interface DkimSignerOptions {
  /** How long a looked-up key (or its absence) is reused; 60 s by default. */
  cacheMs?: number;
  clock?: Clock;
}

interface ReadyKey {
  selector: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  key: KeyObject;
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
    return { selector: record.selector, algorithm: record.algorithm, key: createPrivateKey(secrets.open(record.privateKeyEnc)) };
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
    async sign(raw: Buffer, domain: string, options: SignOptions = {}): Promise<Buffer> {
      const signingDomain = domain.trim().toLowerCase();
      const key = await lookup(signingDomain);
      if (!key) return raw;
      try {
        const header = await dkimSignatureHeader(raw, {
          domain: signingDomain,
          selector: key.selector,
          algorithm: key.algorithm,
          key: key.key,
          time: new Date(clock.now()),
          inline: options.inline ?? false,
        });
        return prepend(Buffer.from(header, 'latin1'), raw);
      } catch (error) {
        throw new MailgateError('internal', `DKIM signing for ${signingDomain} failed: ${(error as Error).message}`);
      }
    },
  };
}
