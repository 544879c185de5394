/**
 * Readiness (`/readyz`, docs/operations-metrics.md): the store answers a real write and read, every
 * listener is bound, and the data directory's file system has room. Each check is bounded in time,
 * so a hung database makes the gateway unready instead of hanging the probe.
 */
import { statfs } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Store } from '../core/storage/store.js';

export interface CheckResult {
  ok: boolean;
  /** What was found, or why it failed. */
  detail: string;
}

export interface ReadinessReport {
  status: 'ready' | 'unready';
  checks: Record<string, CheckResult>;
}

export interface Readiness {
  /** Adds a listener (HTTP, HTTPS, SMTP...) whose `isListening` must hold for the gateway to be ready. */
  addListener(name: string, isListening: () => boolean): void;
  check(): Promise<ReadinessReport>;
}

/** A readiness probe past this is answered as failed: orchestrators time out probes after a few seconds. */
const CHECK_TIMEOUT_MS = 3_000;
/** One setting row per installation, overwritten by every probe (by any process). */
const PROBE_SETTING = 'readiness-probe';
const MB = 1024 * 1024;

function bounded(what: string, run: () => Promise<CheckResult>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `${what} did not answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  const checked = run().catch((error: unknown): CheckResult => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }));
  return Promise.race([checked, timeout]).finally(() => clearTimeout(timer));
}

export function createReadiness(deps: {
  store: Pick<Store, 'probeWrite'>;
  dataDir: string;
  minFreeMb: number;
  /** Whether the last acceptance failed for want of space (docs/full-disk.md): unready until one succeeds. */
  spaceShort: () => boolean;
}): Readiness {
  const listeners = new Map<string, () => boolean>();

  async function storeCheck(): Promise<CheckResult> {
    const nonce = randomUUID();
    const read = await deps.store.probeWrite(PROBE_SETTING, nonce);
    return read === nonce ? { ok: true, detail: 'written and read back' } : { ok: false, detail: 'the value written was not read back' };
  }

  async function diskCheck(): Promise<CheckResult> {
    const stats = await statfs(deps.dataDir);
    const freeMb = Math.floor((Number(stats.bavail) * Number(stats.bsize)) / MB);
    const detail = `${freeMb} MB free, at least ${deps.minFreeMb} MB required (MAILGATE_READY_MIN_FREE_MB)`;
    if (deps.spaceShort()) return { ok: false, detail: `${detail}; the last acceptance failed for want of space` };
    return { ok: freeMb >= deps.minFreeMb, detail };
  }

  function listenerCheck(): CheckResult {
    const down = [...listeners].filter(([, isListening]) => !isListening()).map(([name]) => name);
    const names = [...listeners.keys()].join(', ');
    if (listeners.size === 0) return { ok: false, detail: 'no listener is up yet' };
    return down.length === 0 ? { ok: true, detail: `listening: ${names}` } : { ok: false, detail: `not listening: ${down.join(', ')}` };
  }

  return {
    addListener(name, isListening) {
      listeners.set(name, isListening);
    },
    async check() {
      const [store, disk] = await Promise.all([bounded('the store', storeCheck), bounded('the data directory', diskCheck)]);
      const checks = { store, disk, listeners: listenerCheck() };
      return { status: Object.values(checks).every((c) => c.ok) ? 'ready' : 'unready', checks };
    },
  };
}
