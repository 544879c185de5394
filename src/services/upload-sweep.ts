/**
 * Removes what uploads leave behind: Graph upload sessions past their expiry (idle too long) with
 * their chunks, and Mimecast uploads no send referenced within MAILGATE_UPLOAD_RETENTION_SECONDS.
 * Rows go first, then bytes: a stop in between leaves unreachable bytes, never a row without them.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/ports.js';
import type { Store } from '../core/storage/store.js';
import { periodicPass, type PeriodicPass } from './periodic-pass.js';

/** Sweeps now, then every interval; a pass resolves with what it removed. */
export type UploadSweep = PeriodicPass<{ sessions: number; files: number }>;

export interface UploadSweepDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  retentionMs: number;
  intervalMs: number;
  batchSize?: number;
}

export function createUploadSweep(deps: UploadSweepDeps): UploadSweep {
  const { store, clock, log } = deps;
  const batchSize = deps.batchSize ?? 100;

  async function deleteBlobs(keys: readonly string[]): Promise<void> {
    for (const key of keys) await store.blobs.delete(key);
  }

  async function pass(): Promise<{ sessions: number; files: number }> {
    let sessions = 0;
    for (;;) {
      const expired = await store.takeExpiredUploadSessions(clock.now(), batchSize);
      for (const keys of expired) await deleteBlobs(keys);
      sessions += expired.length;
      if (expired.length < batchSize) break;
    }
    let files = 0;
    for (;;) {
      const unused = await store.takeUnusedFiles(clock.now() - deps.retentionMs, batchSize);
      await deleteBlobs(unused);
      files += unused.length;
      if (unused.length < batchSize) break;
    }
    if (sessions + files > 0) log.info({ sessions, files }, 'uploads: expired sessions and unused files removed');
    return { sessions, files };
  }

  return periodicPass(pass, { intervalMs: deps.intervalMs, log, name: 'uploads' });
}
