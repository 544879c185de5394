/**
 * e2e and peer: N Mimecast send-email calls per size and concurrency, relayed by a mailgate process
 * (DKIM on and off) to one shared smtp-sink, then the same N messages relayed by Postfix from
 * smtp-source to the same sink; prints one table with the mailgate/Postfix ratio on delivered/s.
 *   npx tsx bench/e2e.ts [--count 20000] [--sizes 5120,102400,1048576] [--concurrency 1,16,64]
 *                        [--dkim on,off] [--no-peer] [--max-load 1.5] [--cpu-prof DIR]
 */
import { parseArgs } from 'node:util';
import { spawnLoad } from './lib/load-runner.js';
import type { LoadResult, LoadSpec } from './lib/http-load.js';
import { buildMailgate, prepareTemplate, startMailgate, type Template } from './lib/mailgate.js';
import { postfixRelayRow } from './lib/peer-run.js';
import { ensurePostfix, startSink, type Sink } from './lib/postfix.js';
import { measure, printTable, rowOf, sizeLabel, type Row } from './lib/report.js';
import { waitForQuietMachine } from './lib/system.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    sizes: { type: 'string', default: '5120,102400,1048576' },
    concurrency: { type: 'string', default: '1,16,64' },
    dkim: { type: 'string', default: 'on,off' },
    'no-peer': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.5' },
    'max-wait': { type: 'string', default: '600' },
    'cpu-prof': { type: 'string' },
  },
});
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const count = Number(values.count);

async function mailgateRow(sink: Sink, template: Template, dkim: string, size: number, concurrency: number): Promise<Row> {
  const nodeArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const gw = await startMailgate(template, { MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}` }, nodeArgs);
  try {
    const spec: LoadSpec = { url: gw.url, keys: template.keys, count, concurrency, bodyBytes: size };
    const load = await spawnLoad<LoadResult>('http-load.ts', spec);
    const base = sink.count();
    let result: LoadResult | undefined;
    const m = await measure(
      gw.pid,
      async () => (result = await load.run()),
      () => sink.waitFor(base + (result?.ok ?? 0)),
    );
    if (!result) throw new Error('no load result');
    if (result.firstError) console.error(`mailgate ${sizeLabel(size)} c${concurrency}: ${result.failures} failures, first: ${result.firstError}`);
    return rowOf({ bench: 'e2e', system: 'mailgate', size: sizeLabel(size), conc: concurrency, dkim }, m, result.ok, result.failures, result.latencies);
  } finally {
    await gw.stop();
  }
}

ensurePostfix();
buildMailgate();
const templates = new Map(list(values.dkim).map((d) => [d, prepareTemplate({ dkim: d === 'on' })]));
const sink = await startSink();
const load = await waitForQuietMachine(Number(values['max-load']), Number(values['max-wait']) * 1000);
const rows: Row[] = [];
try {
  for (const size of list(values.sizes).map(Number)) {
    for (const concurrency of list(values.concurrency).map(Number)) {
      const ours: Row[] = [];
      for (const [dkim, template] of templates) ours.push(await mailgateRow(sink, template, dkim, size, concurrency));
      const peer = values['no-peer'] ? undefined : await postfixRelayRow(sink, count, size, concurrency);
      for (const row of ours) {
        if (peer?.deliveredPerSec && row.deliveredPerSec) row.ratio = `${(row.deliveredPerSec / peer.deliveredPerSec).toFixed(2)}×`;
        rows.push(row);
      }
      if (peer) rows.push(peer);
      console.error(`done ${sizeLabel(size)} c${concurrency}`);
    }
  }
} finally {
  await sink.close();
  for (const t of templates.values()) t.remove();
}
printTable(`e2e: ${count} messages per row, ratio = mailgate/Postfix delivered/s`, rows, load);
