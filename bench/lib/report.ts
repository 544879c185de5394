/** The row every bench prints, its measurement around a load run, and the table as Markdown. */
import { treeCpuSeconds, watchPeakMemory } from './process-stats.js';
import { loadAverage } from './system.js';

export interface Row {
  bench: string;
  system: string;
  size: string;
  conc: number | string;
  dkim?: string;
  messages: number;
  failures: number;
  acceptedPerSec: number;
  /** Until the sink counted every accepted message; absent when nothing is delivered. */
  deliveredPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  peakRssMiB: number;
  cpuPer1000: number;
  /** mailgate / Postfix (or / ceiling) on the row's headline figure. */
  ratio?: string;
  /** The machine's 1-minute load average when the row started and when it ended. */
  load?: string;
}

export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface Measured {
  acceptedAt: number;
  deliveredAt?: number;
  startedAt: number;
  cpuSeconds: number;
  peakRssBytes: number;
  loadAtStart: number;
  loadAtEnd: number;
}

/**
 * Runs `load` while watching the process trees of `pid` (one, or several gateway processes summed):
 * CPU from just before the load starts until `settled` resolves (delivery done), the peak memory
 * over the same span, and the machine's load average at both ends.
 */
export async function measure(
  pid: number | number[],
  load: () => Promise<{ startedAt: number; endedAt: number }>,
  settled?: () => Promise<number>,
): Promise<Measured> {
  const pids = [pid].flat();
  const cpu = () => pids.reduce((sum, p) => sum + treeCpuSeconds(p), 0);
  const loadAtStart = loadAverage();
  const memory = watchPeakMemory(pids);
  const cpu0 = cpu();
  const run = await load();
  const deliveredAt = settled ? await settled() : undefined;
  const cpuSeconds = cpu() - cpu0;
  const peakRssBytes = memory.stop();
  return { startedAt: run.startedAt, acceptedAt: run.endedAt, ...(deliveredAt ? { deliveredAt } : {}), cpuSeconds, peakRssBytes, loadAtStart, loadAtEnd: loadAverage() };
}

/** Builds a row from a measurement and the load's own counts and latencies. */
export function rowOf(base: Pick<Row, 'bench' | 'system' | 'size' | 'conc' | 'dkim'>, m: Measured, ok: number, failures: number, latencies?: number[]): Row {
  const perSec = (until: number) => (ok / Math.max(until - m.startedAt, 1)) * 1000;
  const p50 = latencies && percentile(latencies, 50);
  const p99 = latencies && percentile(latencies, 99);
  return {
    ...base,
    messages: ok,
    failures,
    acceptedPerSec: perSec(m.acceptedAt),
    ...(m.deliveredAt ? { deliveredPerSec: perSec(m.deliveredAt) } : {}),
    ...(p50 !== undefined ? { p50Ms: p50 } : {}),
    ...(p99 !== undefined ? { p99Ms: p99 } : {}),
    peakRssMiB: m.peakRssBytes / 2 ** 20,
    cpuPer1000: (m.cpuSeconds / Math.max(ok, 1)) * 1000,
    load: `${m.loadAtStart.toFixed(2)}→${m.loadAtEnd.toFixed(2)}`,
  };
}

export function sizeLabel(bytes: number): string {
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MB`;
  if (bytes >= 1000) return `${Math.round(bytes / 1000)} KB`;
  return `${bytes} B`;
}

const fixed = (n: number | undefined, digits: number) => (n === undefined ? '–' : n.toFixed(digits));

/** Prints the rows as a Markdown table, with the load average the run started at. */
export function printTable(title: string, rows: Row[], load: number): void {
  const head = ['bench', 'system', 'size', 'conc', 'dkim', 'msgs', 'fail', 'accepted/s', 'delivered/s', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'CPU s/1000', 'ratio', 'load 1m start→end'];
  const lines = rows.map((r) => [
    r.bench,
    r.system,
    r.size,
    String(r.conc),
    r.dkim ?? '–',
    String(r.messages),
    String(r.failures),
    fixed(r.acceptedPerSec, 0),
    fixed(r.deliveredPerSec, 0),
    fixed(r.p50Ms, 1),
    fixed(r.p99Ms, 1),
    fixed(r.peakRssMiB, 0),
    fixed(r.cpuPer1000, 2),
    r.ratio ?? '',
    r.load ?? '–',
  ]);
  console.log(`\n### ${title} (load average at start ${load.toFixed(2)}, ${new Date().toISOString()})\n`);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
}
