/**
 * Answers of the inbound checks' DNS lookups kept for a short while (docs/dns-cache.md):
 * a sender's SPF, DKIM key and DMARC policy are asked for on every message it sends, and Node's
 * resolver keeps nothing. Answers and "no such name/record" are kept for MAILGATE_DNS_CACHE_SECONDS;
 * failures (timeouts, SERVFAIL, refused) are never kept, so the next message asks again. Lookups
 * of one name in flight together share one query.
 */
import type { Clock } from '../core/ports.js';
import type { DnsResolve } from './dns-resolver.js';

/** Names kept at most; past that the oldest go first. */
const DNS_CACHE_MAX_ENTRIES = 10_000;

/** NXDOMAIN and NODATA: answers about the name, as cacheable as a record (RFC 2308). */
const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA']);

interface Entry {
  until: number;
  answer: Promise<never[]>;
}

/**
 * Every caller gets its own copy, so none can change what the next one reads. Records are strings
 * (A, PTR…), arrays of strings (TXT) or flat objects (MX, SRV…): one level down is all there is.
 */
function copyOf(records: never[]): never[] {
  return records.map((r: unknown) => (Array.isArray(r) ? [...(r as unknown[])] : r !== null && typeof r === 'object' ? { ...r } : r)) as never[];
}

export function cachedDnsResolver(resolve: DnsResolve, ttlMs: number, clock: Clock): DnsResolve {
  if (ttlMs <= 0) return resolve;
  const entries = new Map<string, Entry>();

  function lookup(key: string, name: string, rrtype: string): Promise<never[]> {
    const now = clock.now();
    const hit = entries.get(key);
    if (hit && hit.until > now) return hit.answer;
    if (hit) entries.delete(key);
    const answer = resolve(name, rrtype);
    entries.set(key, { until: now + ttlMs, answer });
    answer.catch((error: unknown) => {
      if (!NEGATIVE.has((error as NodeJS.ErrnoException).code ?? '') && entries.get(key)?.answer === answer) entries.delete(key);
    });
    if (entries.size > DNS_CACHE_MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    return answer;
  }

  return (name, rrtype) => lookup(`${rrtype} ${name.toLowerCase()}`, name, rrtype).then(copyOf);
}
