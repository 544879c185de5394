/**
 * The inbound checks' DNS cache (src/scan/dns-cache.ts, docs/dns-cache.md) in front of a real DNS
 * server (dnsmasq): the resolver under it is the gateway's own, wrapped only to count the queries
 * that reach the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/core/ports.js';
import { cachedDnsResolver } from '../src/scan/dns-cache.js';
import { createDnsResolver, type DnsResolve } from '../src/scan/dns-resolver.js';
import { startDnsServer, type DnsServer } from './helpers/dns-server.js';

let dns: DnsServer;

beforeAll(async () => {
  dns = await startDnsServer({ localZones: ['test'], txt: [{ name: 'pass.test', value: 'v=spf1 ip4:127.0.0.0/8 -all' }] });
}, 60_000);

afterAll(async () => {
  await dns?.close();
});

/** A clock the test moves, and a resolver that counts what it asks the server. */
function setup(servers: string[], ttlMs = 60_000) {
  const clock = { at: 1_000_000, now() { return this.at; } } satisfies Clock & { at: number };
  const real = createDnsResolver(servers);
  const asked: string[] = [];
  const counting: DnsResolve = (name, rrtype) => {
    asked.push(`${rrtype} ${name}`);
    return real(name, rrtype);
  };
  return { clock, asked, resolve: cachedDnsResolver(counting, ttlMs, clock) };
}

describe('DNS cache of the inbound checks', () => {
  it('answers a repeated lookup from the cache until the time is up, whatever the name’s case', async () => {
    const { clock, asked, resolve } = setup([dns.address]);
    expect(await resolve('pass.test', 'TXT')).toEqual([['v=spf1 ip4:127.0.0.0/8 -all']]);
    expect(await resolve('PASS.test', 'TXT')).toEqual([['v=spf1 ip4:127.0.0.0/8 -all']]);
    expect(asked).toEqual(['TXT pass.test']);
    clock.at += 60_000;
    await resolve('pass.test', 'TXT');
    expect(asked).toEqual(['TXT pass.test', 'TXT pass.test']);
  });

  it('shares one query between lookups in flight together, and keeps record types apart', async () => {
    const { asked, resolve } = setup([dns.address]);
    await Promise.all([resolve('pass.test', 'TXT'), resolve('pass.test', 'TXT'), resolve('pass.test', 'MX').catch((e: Error) => e)]);
    expect(asked.sort()).toEqual(['MX pass.test', 'TXT pass.test']);
  });

  it('keeps "no such name" and "no such record" like answers', async () => {
    const { asked, resolve } = setup([dns.address]);
    for (let i = 0; i < 2; i++) {
      await expect(resolve('nowhere.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
      await expect(resolve('pass.test', 'MX')).rejects.toMatchObject({ code: 'ENODATA' });
    }
    expect(asked).toEqual(['TXT nowhere.test', 'MX pass.test']);
  });

  it('never keeps a failure: the next lookup asks the server again', async () => {
    // Nothing listens on port 9: the query is refused (or times out), not answered.
    const { asked, resolve } = setup(['127.0.0.1:9']);
    const first = await resolve('pass.test', 'TXT').catch((e: NodeJS.ErrnoException) => e);
    expect((first as NodeJS.ErrnoException).code).not.toMatch(/^(ENOTFOUND|ENODATA)$/);
    await resolve('pass.test', 'TXT').catch(() => undefined);
    expect(asked).toEqual(['TXT pass.test', 'TXT pass.test']);
  }, 20_000);

  it('gives every caller its own copy of the answer', async () => {
    const { resolve } = setup([dns.address]);
    const first = (await resolve('pass.test', 'TXT')) as string[][];
    first[0]?.splice(0, 1, 'v=spf1 +all');
    first.push(['changed']);
    expect(await resolve('pass.test', 'TXT')).toEqual([['v=spf1 ip4:127.0.0.0/8 -all']]);
  });

  it('asks every time when the cache is off (0 seconds)', async () => {
    const { asked, resolve } = setup([dns.address], 0);
    await resolve('pass.test', 'TXT');
    await resolve('pass.test', 'TXT');
    expect(asked).toHaveLength(2);
  });
});
