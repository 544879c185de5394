/**
 * Quick throughput run of the spine: N Mimecast send-email calls at fixed concurrency, relayed over
 * SMTP (DKIM on) to a loopback sink. Prints accepted/s, delivered/s, p50/p99 accept latency, peak RSS.
 *   npx tsx bench/quick-send.ts [--count 2000] [--concurrency 16] [--size 5000]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createSecretBox, loadMasterKey } from '../src/auth/secret-box.js';
import { generateDkimKey } from '../src/mime/dkim-keys.js';
import { startTestGateway } from '../test/helpers/gateway.js';
import { mcPost } from '../test/helpers/mimecast-client.js';
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import { runClosedLoop } from './lib/closed-loop.js';
import { percentile } from './lib/report.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    size: { type: 'string', default: '5000' },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const body = 'x'.repeat(Number(values.size));

const sink = await startSmtpSink();
const gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAILGATE_LOG_LEVEL: 'warn' });
const key = generateDkimKey('rsa-sha256');
await gw.server.gateway.store.putDkimKey({
  domain: 'example.test',
  selector: 'bench',
  algorithm: 'rsa-sha256',
  privateKeyEnc: createSecretBox(loadMasterKey(gw.dataDir)).seal(key.privateKeyPem),
  publicKey: key.publicKey,
  createdAt: Date.now(),
});
const keys = await gw.user('bench@example.test');
const payload = JSON.stringify({
  data: [{ to: [{ emailAddress: 'sink@remote.test' }], subject: 'bench', plainBody: { content: body } }],
});

const { latencies, failures, startedAt: started, finishedAt: acceptedAt } = await runClosedLoop(count, concurrency, async () => {
  const res = await mcPost(gw.url, keys, '/api/email/send-email', payload);
  return res.status === 200 && res.body.fail.length === 0;
});
await sink.waitForMessages(count - failures, 600_000);
const deliveredAt = performance.now();

const row = {
  messages: count,
  concurrency,
  'body bytes': body.length,
  failures,
  'accepted/s': ((count / (acceptedAt - started)) * 1000).toFixed(0),
  'delivered/s': (((count - failures) / (deliveredAt - started)) * 1000).toFixed(0),
  'p50 accept ms': (percentile(latencies, 50) ?? NaN).toFixed(1),
  'p99 accept ms': (percentile(latencies, 99) ?? NaN).toFixed(1),
  'peak RSS MiB': (process.resourceUsage().maxRSS / 1024).toFixed(0),
};
console.table([row]);
await gw.stop();
await sink.close();
