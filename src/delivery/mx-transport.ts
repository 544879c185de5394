/** Direct delivery to each domain's MX hosts, resolved per message. */
import dns from 'node:dns';
import net from 'node:net';
import type { Transport } from '../core/ports.js';
import type { Target } from './smtp-session.js';
import { SMTP_DEFAULTS, settingsOf, type SmtpTransportOptions } from './smtp-settings.js';
import { createSmtpTransport, type Route } from './smtp-transport.js';

/** Resolves a host name to its addresses (A and AAAA). */
export type AddressLookup = (host: string) => Promise<string[]>;

export interface MxTransportOptions extends SmtpTransportOptions {
  /** Config.mxPort; 25 in production, a test sink's port in tests. */
  port: number;
  resolver?: dns.promises.Resolver;
  lookup?: AddressLookup;
  /** RFC 5321 §5.1 wants at least two addresses tried; more than a few only delays the retry. */
  maxAddressesPerAttempt?: number;
}

const defaultLookup: AddressLookup = async (host) =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

function dnsCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'EUNKNOWN';
}

/** NXDOMAIN and "no records of this type", from c-ares (ENOTFOUND/ENODATA) or getaddrinfo. */
function isNoSuchName(code: string): boolean {
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME' || code === 'EAI_NODATA';
}

/** Delivers straight to each domain's MX hosts (RFC 5321 §5.1), with opportunistic STARTTLS. */
export function createMxTransport(opts: MxTransportOptions): Transport {
  const s = settingsOf(opts);
  const resolver = opts.resolver ?? new dns.promises.Resolver();
  const lookup = opts.lookup ?? defaultLookup;
  const port = opts.port;

  const target = (host: string, address: string): Target => ({
    key: `${host}:${port}`,
    name: host,
    connectHost: address,
    port,
    secure: false,
    requireTls: false,
    startTls: true,
    plaintextFallback: true,
    // MX names cannot be authenticated without DANE or MTA-STS, so a certificate check only
    // pushes mail to plaintext (RFC 7435 opportunistic security); the TLS used is still recorded.
    verifyCertificate: false,
  });

  async function route(domain: string): Promise<Route> {
    const literal = /^\[(?:ipv6:)?([^\]]+)\]$/i.exec(domain)?.[1];
    if (literal && net.isIP(literal)) return { ok: true, targets: [[target(literal, literal)]] };

    let hosts: string[];
    let implicit = false;
    try {
      const records = await resolver.resolveMx(domain);
      const real = records.filter((r) => r.exchange !== '' && r.exchange !== '.');
      // RFC 7505: a lone "MX 0 ." says the domain accepts no mail at all.
      if (records.length > 0 && real.length === 0) {
        return { ok: false, reply: { code: 556, text: `5.1.10 ${domain} does not accept mail (null MX)` } };
      }
      hosts = real.sort((a, b) => a.priority - b.priority).map((r) => r.exchange.replace(/\.$/, ''));
    } catch (err) {
      const code = dnsCode(err);
      if (!isNoSuchName(code)) {
        return { ok: false, reply: { code: 451, text: `4.4.3 MX lookup for ${domain} failed: ${code}` } };
      }
      hosts = [];
    }
    // RFC 5321 §5.1: no MX records means the domain itself is the (implicit, preference 0) MX.
    if (hosts.length === 0) {
      hosts = [domain];
      implicit = true;
    }

    const targets: Target[][] = [];
    let lookupFailure: string | undefined;
    for (const host of hosts) {
      try {
        const addresses = net.isIP(host) ? [host] : await lookup(host);
        if (addresses.length > 0) targets.push(addresses.map((a) => target(host, a)));
      } catch (err) {
        const code = dnsCode(err);
        lookupFailure ??= `${host}: ${code}`;
        if (implicit && isNoSuchName(code)) {
          return { ok: false, reply: { code: 550, text: `5.1.2 ${domain}: domain not found (no MX, A or AAAA record)` } };
        }
      }
    }
    if (targets.length === 0) {
      // The MX records exist but name nothing we can reach: a DNS fault on their side, usually fixed.
      return { ok: false, reply: { code: 451, text: `4.4.3 no address for the mail servers of ${domain} (${lookupFailure ?? 'no records'})` } };
    }
    return { ok: true, targets };
  }

  return createSmtpTransport('mx', s, route, opts.maxAddressesPerAttempt ?? SMTP_DEFAULTS.maxAddressesPerAttempt);
}
