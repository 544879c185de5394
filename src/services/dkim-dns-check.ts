/**
 * What DNS serves now for a DKIM key's record, compared with the record to publish
 * (docs/identities.md). The gateway's own resolver asks (MAILGATE_DNS_SERVERS), so the answer is
 * what the gateway's peers are likely to see, not what the operator's laptop caches.
 */
import type { DnsResolve } from '../scan/dns-resolver.js';

export interface DkimDnsCheck {
  dnsName: string;
  /** The TXT value to publish. */
  expected: string;
  /** Each TXT record served at the name, its strings joined as a verifier joins them. */
  served: string[];
  /** Whether a served record carries the same key as the one to publish. */
  matches: boolean;
  /** Why nothing could be read: no such name, no TXT record, or the lookup failed. */
  problem: string | null;
}

/** The tag list of a DKIM record as tag → value, whitespace dropped (RFC 6376 §3.2). */
function tags(record: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of record.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) found.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).replace(/\s+/g, ''));
  }
  return found;
}

/** Same key type and public key: the tags a verifier uses; spacing and tag order do not matter. */
function sameKey(served: string, expected: string): boolean {
  const [a, b] = [tags(served), tags(expected)];
  return (a.get('k') ?? 'rsa') === (b.get('k') ?? 'rsa') && a.get('p') !== undefined && a.get('p') === b.get('p');
}

export async function checkDkimDns(resolve: DnsResolve, dnsName: string, expected: string): Promise<DkimDnsCheck> {
  let served: string[] = [];
  let problem: string | null = null;
  try {
    served = ((await resolve(dnsName, 'TXT')) as unknown as string[][]).map((chunks) => chunks.join(''));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === 'ENOTFOUND' ? `${dnsName} does not exist` : code === 'ENODATA' ? `${dnsName} has no TXT record` : `DNS lookup failed (${code ?? String(error)})`;
  }
  return { dnsName, expected, served, matches: served.some((record) => sameKey(record, expected)), problem };
}
