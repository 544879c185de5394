/**
 * The DKIM record check (src/services/dkim-dns-check.ts, docs/identities.md) against a real DNS
 * server (dnsmasq) through the gateway's own resolver (MAILGATE_DNS_SERVERS): a record published
 * with other spacing, tag order and split into several strings matches; another key does not; a
 * name without TXT records and a name that does not exist are told apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimDnsRecord, generateDkimKey } from '../src/mime/dkim-keys.js';
import { startDnsServer, type DnsServer } from './helpers/dns-server.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

const key = generateDkimKey('rsa-sha256');
const other = generateDkimKey('rsa-sha256', 1024);
let dns: DnsServer;
let gw: TestGateway;

beforeAll(async () => {
  dns = await startDnsServer({
    localZones: ['test'],
    txt: [
      // 2048-bit: longer than 255 octets, so served as several strings.
      { name: 'good._domainkey.sign.test', value: `k=rsa;  v=DKIM1; p=${key.publicKey}` },
      { name: 'stale._domainkey.sign.test', value: dkimDnsRecord('rsa-sha256', other.publicKey) },
    ],
    a: [{ name: 'bare._domainkey.sign.test', ip: '192.0.2.1' }],
  });
  gw = await startTestGateway({ MAILGATE_DNS_SERVERS: dns.address });
  const { store, secrets } = gw.server.gateway;
  for (const selector of ['good', 'stale', 'bare', 'missing']) {
    await store.putDkimKey({ domain: 'sign.test', selector, algorithm: 'rsa-sha256', privateKeyEnc: secrets.seal(key.privateKeyPem), publicKey: key.publicKey, createdAt: Date.now() });
  }
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await dns?.close();
});

describe('DKIM DNS check', () => {
  it('compares what DNS serves now with the record to publish', async () => {
    const check = (selector: string) => gw.server.gateway.identities.checkDkimDns('Sign.Test', selector);
    const expected = dkimDnsRecord('rsa-sha256', key.publicKey);

    expect(await check('good')).toEqual({ dnsName: 'good._domainkey.sign.test', expected, served: [`k=rsa;  v=DKIM1; p=${key.publicKey}`], matches: true, problem: null });
    expect(await check('stale')).toMatchObject({ served: [dkimDnsRecord('rsa-sha256', other.publicKey)], matches: false, problem: null });
    expect(await check('bare')).toMatchObject({ served: [], matches: false, problem: 'bare._domainkey.sign.test has no TXT record' });
    expect(await check('missing')).toMatchObject({ served: [], matches: false, problem: 'missing._domainkey.sign.test does not exist' });
    await expect(check('unknown')).rejects.toMatchObject({ code: 'not_found' });
  });
});
