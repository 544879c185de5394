/**
 * The world inbound tests need: a real DNS server (dnsmasq) publishing SPF, DKIM, DMARC, ARC and
 * blocklist records for sender domains under `.test`, a relay sink, and a gateway whose resolver
 * points at that DNS server. Senders connect from 127.0.0.1 (SPF-permitted for pass.test) or
 * 127.0.0.2 (listed in the bl.test blocklist).
 */
import { dkimSign, sealMessage } from 'mailauth';
import { generateDkimKey, dkimDnsRecord, type GeneratedDkimKey } from '../../src/mime/dkim-keys.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

export interface InboundEnv {
  dns: DnsServer;
  sink: SmtpSink;
  gw: TestGateway;
  /** The key published in the DNS server for pass.test, selector s1. */
  passDkim: GeneratedDkimKey;
  /** DKIM-signs a message as pass.test (selector s1, key published in the DNS server). */
  signPass(raw: Buffer): Promise<Buffer>;
  /** Adds an ARC set sealed by arc.test (key published) on top of the message. */
  sealArc(raw: Buffer, authResults: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startInboundEnv(env: Record<string, string> = {}): Promise<InboundEnv> {
  const dkim = generateDkimKey('rsa-sha256', 1024);
  const arcKey = generateDkimKey('rsa-sha256', 1024);
  const dns = await startDnsServer({
    localZones: ['test'],
    txt: [
      { name: 'pass.test', value: 'v=spf1 ip4:127.0.0.0/8 -all' },
      { name: '_dmarc.pass.test', value: 'v=DMARC1; p=reject' },
      { name: 's1._domainkey.pass.test', value: dkimDnsRecord('rsa-sha256', dkim.publicKey) },
      { name: 'fail.test', value: 'v=spf1 ip4:192.0.2.0/24 -all' },
      { name: '_dmarc.fail.test', value: 'v=DMARC1; p=reject' },
      { name: 'quar.test', value: 'v=spf1 ip4:192.0.2.0/24 -all' },
      { name: '_dmarc.quar.test', value: 'v=DMARC1; p=quarantine' },
      { name: 'listed.test', value: 'v=spf1 ip4:127.0.0.0/8 -all' },
      { name: 'arc._domainkey.arc.test', value: dkimDnsRecord('rsa-sha256', arcKey.publicKey) },
    ],
    a: [
      { name: '2.0.0.127.bl.test', ip: '127.0.0.2' },
      { name: 'listed.test.dbl.test', ip: '127.0.0.2' },
    ],
    ptr: [{ ip: '127.0.0.1', name: 'localhost.test' }],
  });
  const sink = await startSmtpSink();
  const gw = await startTestGateway({
    MAILGATE_DNS_SERVERS: dns.address,
    MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
    ...env,
  });
  return {
    dns,
    sink,
    gw,
    passDkim: dkim,
    async signPass(raw) {
      const signed = await dkimSign(raw, { signatureData: [{ signingDomain: 'pass.test', selector: 's1', privateKey: dkim.privateKeyPem }] } as never);
      return Buffer.concat([Buffer.from(signed.signatures), raw]);
    },
    async sealArc(raw, authResults) {
      const seal = await sealMessage(raw, { signingDomain: 'arc.test', selector: 'arc', privateKey: arcKey.privateKeyPem, authResults, cv: 'none' } as never);
      return Buffer.concat([seal, raw]);
    },
    async stop() {
      await gw.stop();
      await sink.close();
      await dns.close();
    },
  };
}
