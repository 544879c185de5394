/** The operations options (metrics and readiness, docs/operations-metrics.md), declared beside config.ts's OPTIONS and spread into it. */
import { int } from './parsers.js';

export interface OpsConfig {
  /** Bearer token `/metrics` requires from any client; unset = open to loopback clients only. */
  metricsToken: string | undefined;
  /** Free space (MB) the data directory's file system must have for `/readyz` to answer ready. */
  readyMinFreeMb: number;
}

export function opsOptions() {
  return {
    metricsToken: { key: 'metricsToken', env: 'MAILGATE_METRICS_TOKEN', parse: (raw: string | undefined) => raw || undefined },
    // Enough for SQLite's journal and a burst of queued mail; below it, take the gateway out of rotation before the disk fills.
    readyMinFreeMb: { key: 'readyMinFreeMb', env: 'MAILGATE_READY_MIN_FREE_MB', parse: int(0, 100_000_000, 100) },
  } as const;
}
