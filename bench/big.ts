/**
 * big: one message with a 25 MB attachment (uploaded with file-upload, then sent), and 100
 * concurrent 1 MB sends, each relayed to the sink; peak memory above idle and time until the sink
 * has them, next to Postfix relaying messages of the same sizes.
 *   npx tsx bench/big.ts [--attachment 26214400] [--burst 100] [--burst-size 1048576] [--max-load 1.5]
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import type { LoadResult, LoadSpec } from './lib/http-load.js';
import { spawnLoad } from './lib/load-runner.js';
import { buildMailgate, prepareTemplate, startMailgate, type Template } from './lib/mailgate.js';
import { ensurePostfix, startPostfixPeer, startSink, type Sink } from './lib/postfix.js';
import { treeMemoryBytes } from './lib/process-stats.js';
import { measure, sizeLabel } from './lib/report.js';
import { waitForQuietMachine } from './lib/system.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    attachment: { type: 'string', default: String(25 * 2 ** 20) },
    burst: { type: 'string', default: '100' },
    'burst-size': { type: 'string', default: String(2 ** 20) },
    'max-load': { type: 'string', default: '1.5' },
    'max-wait': { type: 'string', default: '600' },
  },
});

interface BigRow {
  system: string;
  case: string;
  seconds: number;
  idleMiB: number;
  peakMiB: number;
  /** Bytes of the messages in flight: the largest stored message × their count (mailgate only). */
  messageMiB?: number;
}

function largestFile(dir: string): number {
  let largest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) largest = Math.max(largest, statSync(path.join(entry.parentPath, entry.name)).size);
  }
  return largest;
}

async function mailgateCase(sink: Sink, template: Template, name: string, spec: Omit<LoadSpec, 'url' | 'keys'>): Promise<BigRow> {
  const gw = await startMailgate(template, { MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}` });
  try {
    // Idle = after one small message went through, so code paths are loaded as in a running gateway.
    const warm = await spawnLoad<LoadResult>('http-load.ts', { url: gw.url, keys: template.keys, count: 1, concurrency: 1, bodyBytes: 1000 });
    const before = sink.count();
    await warm.run();
    await sink.waitFor(before + 1);
    const idle = treeMemoryBytes(gw.pid);
    const load = await spawnLoad<LoadResult>('http-load.ts', { url: gw.url, keys: template.keys, ...spec });
    const base = sink.count();
    let result: LoadResult | undefined;
    const m = await measure(gw.pid, async () => (result = await load.run()), () => sink.waitFor(base + spec.count));
    if (result?.firstError) throw new Error(`${name}: ${result.firstError}`);
    return {
      system: 'mailgate',
      case: name,
      seconds: ((m.deliveredAt ?? m.acceptedAt) - m.startedAt) / 1000,
      idleMiB: idle / 2 ** 20,
      peakMiB: m.peakRssBytes / 2 ** 20,
      messageMiB: (largestFile(path.join(gw.dataDir, 'blobs')) * spec.count) / 2 ** 20,
    };
  } finally {
    await gw.stop();
  }
}

async function postfixCase(sink: Sink, name: string, count: number, size: number): Promise<BigRow> {
  const peer = await startPostfixPeer({ relayPort: sink.port });
  try {
    const idle = treeMemoryBytes(peer.masterPid);
    const base = sink.count();
    const m = await measure(
      peer.masterPid,
      async () => {
        const startedAt = Date.now();
        await run('/usr/sbin/smtp-source', ['-s', String(count), '-m', String(count), '-l', String(size), '-f', 'bench@peer.test', '-t', 'sink@remote.test', `127.0.0.1:${peer.port}`]);
        return { startedAt, endedAt: Date.now() };
      },
      () => sink.waitFor(base + count),
    );
    return { system: 'postfix', case: name, seconds: ((m.deliveredAt ?? 0) - m.startedAt) / 1000, idleMiB: idle / 2 ** 20, peakMiB: m.peakRssBytes / 2 ** 20 };
  } finally {
    await peer.stop();
  }
}

ensurePostfix();
buildMailgate();
const template = prepareTemplate({ dkim: true });
const sink = await startSink();
const loadAvg = await waitForQuietMachine(Number(values['max-load']), Number(values['max-wait']) * 1000);
const attachment = Number(values.attachment);
const burst = Number(values.burst);
const burstSize = Number(values['burst-size']);
const rows: BigRow[] = [];
try {
  const one = `1 × ${sizeLabel(attachment)} attachment`;
  rows.push(await mailgateCase(sink, template, one, { count: 1, concurrency: 1, bodyBytes: 1000, attachmentBytes: attachment }));
  rows.push(await postfixCase(sink, one, 1, attachment));
  const many = `${burst} × ${sizeLabel(burstSize)} concurrent`;
  rows.push(await mailgateCase(sink, template, many, { count: burst, concurrency: burst, bodyBytes: burstSize }));
  rows.push(await postfixCase(sink, many, burst, burstSize));
} finally {
  await sink.close();
  template.remove();
}
console.log(`\n### big (load average at start ${loadAvg.toFixed(2)}, ${new Date().toISOString()})\n`);
console.log('| system | case | seconds to delivered | idle MiB | peak MiB | above idle MiB | messages in flight MiB | above idle / messages |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const above = r.peakMiB - r.idleMiB;
  const ratio = r.messageMiB ? `${(above / r.messageMiB).toFixed(2)}×` : '–';
  console.log(`| ${r.system} | ${r.case} | ${r.seconds.toFixed(2)} | ${r.idleMiB.toFixed(0)} | ${r.peakMiB.toFixed(0)} | ${above.toFixed(0)} | ${r.messageMiB?.toFixed(1) ?? '–'} | ${ratio} |`);
}
