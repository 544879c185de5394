/**
 * The rspamd client against a real rspamd (Debian's package, started here): its score and
 * symbols replace the built-in rules'; GTUBE stays certain spam; an unreachable rspamd falls back
 * to the built-in score instead of refusing mail.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/identity.js';
import type { SpamInfo } from '../src/core/spam-info.js';
import { startDnsServer, type DnsServer } from './helpers/dns-server.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startRspamd, type Rspamd } from './helpers/rspamd.js';
import { missingTools, titled } from './helpers/tools.js';

let rspamd: Rspamd;
let dns: DnsServer;
let gw: TestGateway;
let unreachable: TestGateway;

async function send(g: TestGateway, text: string): Promise<SpamInfo> {
  const info = await nodemailer
    .createTransport({ host: '127.0.0.1', port: g.server.smtpPort, name: 'client.pass.test', tls: { rejectUnauthorized: false } })
    .sendMail({ from: 'Newsletter <news@pass.test>', to: 'alice@example.test', subject: 'rspamd check', text });
  const id = /queued as (\S+)/.exec(info.response)?.[1] as string;
  return (await g.server.gateway.store.getMessage(id))?.meta.spamInfo as SpamInfo;
}

// rspamd is optional for `npm test`: without it this suite is skipped, saying so.
const missing = missingTools(['rspamd', '/usr/sbin/dnsmasq']);

describe.skipIf(missing.length > 0)(titled('rspamd', missing), () => {
  beforeAll(async () => {
    rspamd = await startRspamd();
    dns = await startDnsServer({ localZones: ['test'], txt: [{ name: 'pass.test', value: 'v=spf1 ip4:127.0.0.0/8 -all' }] });
    gw = await startTestGateway({ MAILGATE_RSPAMD_URL: rspamd.url, MAILGATE_DNS_SERVERS: dns.address });
    // A port nothing listens on: connection refused, as when rspamd is down.
    unreachable = await startTestGateway({ MAILGATE_RSPAMD_URL: 'http://127.0.0.1:9/', MAILGATE_DNS_SERVERS: dns.address });
    for (const g of [gw, unreachable]) await addUser(g.server.gateway.store, { email: 'alice@example.test' });
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await unreachable?.stop();
    await dns?.close();
    await rspamd?.close();
  });

  it("uses rspamd's score and symbols for ordinary mail", async () => {
    const spam = await send(gw, 'An ordinary message.');
    expect(spam.spamProcessingDetail.verdict.description).toMatch(/by rspamd/);
    expect(spam.spamProcessingDetail.symbolGroups.map((s) => s.name)).toContain('MIME_GOOD');
    expect(spam.spamScore).toBeLessThan(5);
  });

  it('keeps GTUBE certain spam (rspamd answers reject for it)', async () => {
    const spam = await send(gw, 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X');
    expect(spam.spamScore).toBeGreaterThanOrEqual(1000);
    expect(spam.spamProcessingDetail.verdict.decision).toBe('spam');
  });

  it('falls back to the built-in rules when rspamd cannot be reached', async () => {
    const spam = await send(unreachable, 'An ordinary message.');
    expect(spam.spamProcessingDetail.verdict.description).toMatch(/by mailgate/);
  });
});
