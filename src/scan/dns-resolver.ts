/**
 * The DNS resolver every check uses (mailauth's SPF/DKIM/DMARC/ARC lookups and DNSBL queries):
 * the system's servers, or MAILGATE_DNS_SERVERS (`ip` or `ip:port`, comma-separated).
 */
import { promises as dns } from 'node:dns';

/** mailauth's resolver signature: `dns.resolve(name, rrtype)`. */
export type DnsResolve = (name: string, rrtype: string) => Promise<never[]>;

/** A resolver bound to the given servers (system servers when empty); lookups give up after ~4 s. */
export function createDnsResolver(servers: readonly string[]): DnsResolve {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return (name, rrtype) => resolver.resolve(name, rrtype) as Promise<never[]>;
}
