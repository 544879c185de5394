/**
 * e2e and peer: N Mimecast send-email calls per size and concurrency, relayed by mailgate (each
 * store backend, DKIM on and off) to one shared smtp-sink, then the same N messages relayed by
 * Postfix from smtp-source to the same sink in both peer configurations; prints one table with the
 * ratio of mailgate's delivered/s to the faster Postfix's.
 *   npx tsx bench/e2e.ts [--count 20000] [--sizes 5120,102400,1048576] [--concurrency 1,16,64]
 *                        [--dkim on,off] [--backends sqlite,pg1,pg2] [--no-peer] [--max-load 1.5]
 *                        [--cpu-prof DIR]
 */
import { parseArgs } from 'node:util';
import { spawnLoad } from './lib/load-runner.js';
import type { LoadResult, LoadSpec } from './lib/http-load.js';
import { buildMailgate, prepareTemplate, startMailgate, type MailgateProcess, type Template } from './lib/mailgate.js';
import { postfixRelayRow } from './lib/peer-run.js';
import { ensurePostfix, startSink, type PeerConfig, type Sink } from './lib/postfix.js';
import { createDatabase, type BenchDatabase } from './lib/postgres.js';
import { measure, printTable, rowOf, sizeLabel, type Row } from './lib/report.js';
import { waitForQuietMachine } from './lib/system.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    sizes: { type: 'string', default: '5120,102400,1048576' },
    concurrency: { type: 'string', default: '1,16,64' },
    dkim: { type: 'string', default: 'on,off' },
    backends: { type: 'string', default: 'sqlite,pg1,pg2' },
    'no-peer': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.5' },
    'max-wait': { type: 'string', default: '600' },
    'cpu-prof': { type: 'string' },
  },
});
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const count = Number(values.count);

/** The store a row runs on: SQLite in the data dir, or one fresh PostgreSQL database shared by `processes` gateways. */
interface Backend {
  name: string;
  postgres: boolean;
  processes: number;
}
const BACKENDS: Record<string, Backend> = {
  sqlite: { name: 'sqlite', postgres: false, processes: 1 },
  pg1: { name: 'pg ×1', postgres: true, processes: 1 },
  pg2: { name: 'pg ×2', postgres: true, processes: 2 },
};
const backends = list(values.backends).map((b) => {
  const backend = BACKENDS[b];
  if (!backend) throw new Error(`--backends: unknown backend "${b}"; expected some of ${Object.keys(BACKENDS).join(',')}`);
  return backend;
});
const PEERS: PeerConfig[] = ['bench', 'debian'];

/** A prepared data dir (and, for PostgreSQL, the database each row's fresh one is copied from). */
interface Prepared {
  template: Template;
  database?: BenchDatabase;
}

async function prepare(dkim: boolean, postgres: boolean): Promise<Prepared> {
  if (!postgres) return { template: prepareTemplate({ dkim }) };
  const database = await createDatabase();
  return { template: prepareTemplate({ dkim, env: { MAILGATE_DATABASE_URL: database.url } }), database };
}

async function mailgateRow(sink: Sink, prepared: Prepared, backend: Backend, dkim: string, size: number, concurrency: number): Promise<Row> {
  const nodeArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const database = prepared.database ? await createDatabase(prepared.database.name) : undefined;
  const env = { MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, ...(database ? { MAILGATE_DATABASE_URL: database.url } : {}) };
  const gateways: MailgateProcess[] = [];
  try {
    // Each process has its own data dir (a copy of the template, with the master key) and ports.
    for (let i = 0; i < backend.processes; i++) gateways.push(await startMailgate(prepared.template, env, nodeArgs));
    const spec: LoadSpec = { url: gateways.map((g) => g.url), keys: prepared.template.keys, count, concurrency, bodyBytes: size };
    const load = await spawnLoad<LoadResult>('http-load.ts', spec);
    const base = sink.count();
    let result: LoadResult | undefined;
    const m = await measure(
      gateways.map((g) => g.pid),
      async () => (result = await load.run()),
      () => sink.waitFor(base + (result?.ok ?? 0)),
    );
    if (!result) throw new Error('no load result');
    const system = `mailgate ${backend.name}`;
    if (result.firstError) console.error(`${system} ${sizeLabel(size)} c${concurrency}: ${result.failures} failures, first: ${result.firstError}`);
    return rowOf({ bench: 'e2e', system, size: sizeLabel(size), conc: concurrency, dkim }, m, result.ok, result.failures, result.latencies);
  } finally {
    for (const g of gateways) await g.stop();
    await database?.drop();
  }
}

ensurePostfix();
buildMailgate();
const prepared = new Map<string, Prepared>();
for (const d of list(values.dkim)) {
  for (const postgres of new Set(backends.map((b) => b.postgres))) prepared.set(`${d}/${postgres}`, await prepare(d === 'on', postgres));
}
const sink = await startSink();
/** Every row starts on a quiet machine: the previous row's processes (a Postfix queue draining) must not share its CPU. */
const quiet = () => waitForQuietMachine(Number(values['max-load']), Number(values['max-wait']) * 1000);
const load = await quiet();
const rows: Row[] = [];
try {
  for (const size of list(values.sizes).map(Number)) {
    for (const concurrency of list(values.concurrency).map(Number)) {
      const ours: Row[] = [];
      for (const backend of backends) {
        for (const dkim of list(values.dkim)) {
          await quiet();
          ours.push(await mailgateRow(sink, prepared.get(`${dkim}/${backend.postgres}`) as Prepared, backend, dkim, size, concurrency));
        }
      }
      const peers: Row[] = [];
      if (!values['no-peer']) {
        for (const config of PEERS) {
          await quiet();
          peers.push(await postfixRelayRow(sink, count, size, concurrency, config));
        }
      }
      // The peer is never handicapped: ratios are against whichever configuration was faster.
      const fastest = Math.max(0, ...peers.map((p) => p.deliveredPerSec ?? 0));
      for (const row of ours) {
        if (fastest && row.deliveredPerSec) row.ratio = `${(row.deliveredPerSec / fastest).toFixed(2)}×`;
        rows.push(row);
      }
      rows.push(...peers);
      console.error(`done ${sizeLabel(size)} c${concurrency}`);
    }
  }
} finally {
  await sink.close();
  for (const p of prepared.values()) {
    p.template.remove();
    await p.database?.drop();
  }
}
printTable(`e2e: ${count} messages per row, ratio = mailgate / the faster Postfix, delivered/s`, rows, load);
