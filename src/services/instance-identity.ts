/**
 * The lease owner name a starting process takes: the one kept in its data dir, so that a restart
 * reclaims its own leases at once, unless a live process holds that name (docs/leases.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newId } from '../core/ids.js';
import type { InstanceState } from '../core/storage/instance-store.js';

const FILE = 'instance-id';

/** The data dir's instance id, made at its first start. */
export function dataDirInstanceId(dataDir: string): string {
  const file = path.join(dataDir, FILE);
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved) return saved;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = newId();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

/** This process, as an instance row would name it. */
export interface ThisProcess {
  host: string;
  pid: number;
  /** When this OS process started (ms): a row with our pid written earlier is a predecessor's. */
  processStartedAt: number;
}

function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the instance stored under our saved id belongs to someone else: it still beats, and it
 * is not provably our dead predecessor on this host (its process gone, or our pid reused by a
 * restart, as in a container, where every start is pid 1).
 */
export function heldByAnother(row: InstanceState | undefined, me: ThisProcess, silentMs: number, isRunning = processRunning): boolean {
  if (!row || row.silentMs > silentMs) return false;
  if (row.host !== me.host) return true;
  // Our own pid: another gateway in this very process, unless it started before this process did.
  if (row.pid === me.pid) return row.startedAt >= me.processStartedAt;
  return isRunning(row.pid);
}
