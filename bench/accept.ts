/**
 * accept: Mimecast send-email acceptance alone (delivery paused: worker concurrency 0) against a
 * Fastify hello-world on the same path, closed loop at the given concurrency, then mailgate again
 * open loop at half its maximum rate for the p99 latency target.
 *   npx tsx bench/accept.ts [--count 20000] [--size 5120] [--concurrency 64] [--dkim on] [--max-load 1.5]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './lib/http-load.js';
import { spawnLoad } from './lib/load-runner.js';
import { buildMailgate, prepareTemplate, startMailgate } from './lib/mailgate.js';
import { measure, printTable, rowOf, sizeLabel, type Row } from './lib/report.js';
import { waitForQuietMachine } from './lib/system.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    size: { type: 'string', default: '5120' },
    concurrency: { type: 'string', default: '64' },
    dkim: { type: 'string', default: 'on' },
    'max-load': { type: 'string', default: '1.5' },
    'max-wait': { type: 'string', default: '600' },
  },
});
const count = Number(values.count);
const size = Number(values.size);
const concurrency = Number(values.concurrency);

async function drive(pid: number, spec: LoadSpec, base: Pick<Row, 'bench' | 'system' | 'size' | 'conc' | 'dkim'>): Promise<Row> {
  const load = await spawnLoad<LoadResult>('http-load.ts', spec);
  let result: LoadResult | undefined;
  const m = await measure(pid, async () => (result = await load.run()));
  if (!result) throw new Error('no load result');
  if (result.firstError) console.error(`${base.system}: ${result.failures} failures, first: ${result.firstError}`);
  return rowOf(base, m, result.ok, result.failures, result.latencies);
}

async function startHelloWorld(): Promise<{ pid: number; url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'lib/hello-world.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await new Promise<string[]>((resolve) => createInterface({ input: child.stdout }).once('line', (l: string) => resolve([l])));
  return { pid: child.pid as number, url: `http://127.0.0.1:${line}`, stop: () => child.kill('SIGTERM') };
}

buildMailgate();
const template = prepareTemplate({ dkim: values.dkim === 'on' });
const loadAvg = await waitForQuietMachine(Number(values['max-load']), Number(values['max-wait']) * 1000);
const rows: Row[] = [];
const label = { bench: 'accept', size: sizeLabel(size), dkim: values.dkim };
try {
  const hello = await startHelloWorld();
  const ceiling = await drive(hello.pid, { url: hello.url, keys: template.keys, count, concurrency, bodyBytes: size }, { ...label, system: 'fastify hello-world', conc: concurrency });
  hello.stop();
  rows.push(ceiling);

  // MAILGATE_WORKER_CONCURRENCY=0: this process accepts and queues but does not deliver.
  const gw = await startMailgate(template, { MAILGATE_WORKER_CONCURRENCY: '0' });
  try {
    const max = await drive(gw.pid, { url: gw.url, keys: template.keys, count, concurrency, bodyBytes: size }, { ...label, system: 'mailgate', conc: concurrency });
    max.ratio = `${(max.acceptedPerSec / ceiling.acceptedPerSec).toFixed(2)}× ceiling`;
    rows.push(max);
    const rate = Math.max(1, Math.floor(max.acceptedPerSec / 2));
    const half = await drive(gw.pid, { url: gw.url, keys: template.keys, count: Math.min(count, rate * 30), concurrency: 256, rate, bodyBytes: size }, { ...label, system: 'mailgate', conc: `${rate}/s open` });
    half.ratio = 'half of max';
    rows.push(half);
  } finally {
    await gw.stop();
  }
} finally {
  template.remove();
}
printTable(`accept: ${count} send-email calls, delivery paused; ratio = mailgate/hello-world accepted/s`, rows, loadAvg);
