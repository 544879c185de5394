/**
 * DNS blocklist queries (RFC 5782): an `ip` zone is asked for the client's reversed IPv4 address
 * or reversed IPv6 nibbles, a `domain` zone for the sender's domain. Any A record in 127.0.0.0/8
 * means listed; NXDOMAIN means not listed; other answers and errors count as not listed, so a
 * broken blocklist never blocks mail.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { DnsblZone } from '../core/storage/inbound-store.js';
import type { DnsResolve } from './dns-resolver.js';

export interface DnsblHit {
  zone: string;
  query: string;
  answer: string;
  weight: number;
}

/** The RFC 5782 query label for an IP address, or undefined for something that is not one. */
export function reversedIp(ip: string): string | undefined {
  const bare = ip.replace(/^::ffff:/i, '');
  if (isIPv4(bare)) return bare.split('.').reverse().join('.');
  if (!isIPv6(bare)) return undefined;
  const [head = '', tail = ''] = bare.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const full = [...groups(head), ...Array<string>(bare.includes('::') ? missing : 0).fill('0'), ...groups(tail)];
  return full
    .map((g) => g.padStart(4, '0'))
    .join('')
    .split('')
    .reverse()
    .join('.');
}

/** Queries every zone in parallel; returns the listings found. */
export async function checkDnsbl(
  zones: readonly DnsblZone[],
  subject: { ip?: string; domain?: string },
  resolve: DnsResolve,
): Promise<DnsblHit[]> {
  const ipLabel = subject.ip ? reversedIp(subject.ip) : undefined;
  const queries = zones.flatMap((zone) => {
    const label = zone.kind === 'ip' ? ipLabel : subject.domain;
    return label ? [{ zone, query: `${label}.${zone.zone}` }] : [];
  });
  const answers = await Promise.all(
    queries.map(async ({ zone, query }) => {
      try {
        const records = (await resolve(query, 'A')) as unknown as string[];
        const listed = records.find((a) => a.startsWith('127.'));
        return listed ? { zone: zone.zone, query, answer: listed, weight: zone.weight } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return answers.filter((a): a is DnsblHit => a !== undefined);
}
