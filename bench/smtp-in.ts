/**
 * smtp-in: inbound SMTP acceptance, mailgate's listener (SPF, DKIM, DMARC checked against a
 * loopback dnsmasq, message stored, delivery paused) against Postfix smtpd accepting the same
 * message into its queue (queue manager off), both driven by the same SMTP load generator.
 *   npx tsx bench/smtp-in.ts [--count 20000] [--size 5120] [--concurrency 1,16,64] [--max-load 1.5]
 *     [--cpu-prof DIR]  (V8 CPU profiles of the gateway, one file per thread)
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dkimSign } from 'mailauth';
import { dkimDnsRecord, generateDkimKey } from '../src/mime/dkim-keys.js';
import { startDnsServer } from '../test/helpers/dns-server.js';
import type { LoadResult } from './lib/http-load.js';
import { spawnLoad } from './lib/load-runner.js';
import { buildMailgate, prepareTemplate, startMailgate } from './lib/mailgate.js';
import { textOfSize } from './lib/message-text.js';
import { ensurePostfix, startPostfixPeer, startSink } from './lib/postfix.js';
import { measure, printTable, rowOf, sizeLabel, type Row } from './lib/report.js';
import type { SmtpLoadSpec } from './lib/smtp-load.js';
import { ensureDebianPackages, waitForQuietMachine } from './lib/system.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    size: { type: 'string', default: '5120' },
    concurrency: { type: 'string', default: '1,16,64' },
    'max-load': { type: 'string', default: '1.5' },
    'max-wait': { type: 'string', default: '600' },
    'cpu-prof': { type: 'string' },
  },
});
const count = Number(values.count);
const size = Number(values.size);
const RCPT = 'inbox@localhost';

async function drive(pid: number, spec: SmtpLoadSpec, system: string): Promise<Row> {
  const load = await spawnLoad<LoadResult>('smtp-load.ts', spec);
  let result: LoadResult | undefined;
  const m = await measure(pid, async () => (result = await load.run()));
  if (!result) throw new Error('no load result');
  if (result.firstError) console.error(`${system}: ${result.failures} failures, first: ${result.firstError}`);
  return rowOf({ bench: 'smtp-in', system, size: sizeLabel(size), conc: spec.concurrency }, m, result.ok, result.failures, result.latencies);
}

ensurePostfix();
ensureDebianPackages({ '/usr/sbin/dnsmasq': 'dnsmasq-base' });
buildMailgate();
const work = mkdtempSync(path.join(tmpdir(), 'bench-smtp-in-'));
const key = generateDkimKey('rsa-sha256');
const dns = await startDnsServer({
  localZones: ['test'],
  txt: [
    { name: 'pass.test', value: 'v=spf1 ip4:127.0.0.0/8 -all' },
    { name: '_dmarc.pass.test', value: 'v=DMARC1; p=reject' },
    { name: 's1._domainkey.pass.test', value: dkimDnsRecord('rsa-sha256', key.publicKey) },
  ],
  ptr: [{ ip: '127.0.0.1', name: 'localhost.test' }],
});
// One DKIM-signed message from pass.test, as a sending MTA would have signed it.
const unsigned = Buffer.from(
  `From: Sender <sender@pass.test>\r\nTo: <${RCPT}>\r\nSubject: smtp-in bench\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Message-ID: <bench@pass.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${textOfSize(size)}\r\n`,
);
const signature = await dkimSign(unsigned, { signatureData: [{ signingDomain: 'pass.test', selector: 's1', privateKey: key.privateKeyPem }] } as never);
const messageFile = path.join(work, 'message.eml');
writeFileSync(messageFile, Buffer.concat([Buffer.from(signature.signatures), unsigned]));

const template = prepareTemplate({ dkim: false, localUsers: [RCPT] });
const sink = await startSink();
const loadAvg = await waitForQuietMachine(Number(values['max-load']), Number(values['max-wait']) * 1000);
const rows: Row[] = [];
try {
  for (const concurrency of values.concurrency.split(',').map(Number)) {
    const spec = { count, concurrency, mailFrom: 'sender@pass.test', rcptTo: RCPT, messageFile };
    const nodeArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
    const gw = await startMailgate(template, { MAILGATE_WORKER_CONCURRENCY: '0', MAILGATE_DNS_SERVERS: dns.address }, nodeArgs);
    let ours: Row;
    try {
      ours = await drive(gw.pid, { ...spec, port: gw.smtpPort }, 'mailgate (SPF+DKIM+DMARC)');
    } finally {
      await gw.stop();
    }
    const peer = await startPostfixPeer({ relayPort: sink.port, acceptOnly: true });
    let theirs: Row;
    try {
      theirs = await drive(peer.masterPid, { ...spec, port: peer.port }, 'postfix smtpd');
    } finally {
      await peer.stop();
    }
    ours.ratio = `${(ours.acceptedPerSec / theirs.acceptedPerSec).toFixed(2)}×`;
    rows.push(ours, theirs);
  }
} finally {
  await sink.close();
  await dns.close();
  template.remove();
  rmSync(work, { recursive: true, force: true });
}
printTable(`smtp-in: ${count} messages per row, delivery paused; ratio = mailgate/Postfix accepted/s`, rows, loadAvg);
