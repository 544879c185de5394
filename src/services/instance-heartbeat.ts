/**
 * This process as an instance in the store: its lease owner name, a heartbeat every
 * MAILGATE_HEARTBEAT_SECONDS, and the takeover of leases whose owner went silent (docs/leases.md).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { LeaseConfig } from '../config/lease-options.js';
import { newId } from '../core/ids.js';
import type { Store } from '../core/storage/store.js';
import { dataDirInstanceId, heldByAnother } from './instance-identity.js';
import { periodicPass } from './periodic-pass.js';

export interface Instance {
  /** The lease owner name of this process. */
  id: string;
  /** Starts heart-beating and watching the other instances. */
  start(): void;
  /** At a graceful stop, once deliveries have settled: gives up leftover leases and forgets this instance. */
  retire(): Promise<void>;
}

export interface InstanceDeps {
  store: Store;
  dataDir: string;
  config: LeaseConfig;
  log: Logger;
  /** Leases were taken over: the delivery worker should look for work now. */
  wake(): void;
}

/** Claims this process's instance id, reclaims leases found at start, and records the first beat. */
export async function claimInstance(deps: InstanceDeps): Promise<Instance> {
  const { store, log } = deps;
  const intervalMs = deps.config.heartbeatSeconds * 1000;
  const silentMs = intervalMs * deps.config.heartbeatMissedBeats;
  const me = { host: hostname(), pid: process.pid, processStartedAt: performance.timeOrigin };
  const saved = dataDirInstanceId(deps.dataDir);
  const taken = heldByAnother(await store.getInstance(saved), me, silentMs);
  const id = taken ? newId() : saved;
  if (taken) log.warn({ saved, instance: id }, 'a live process uses this data dir\'s instance id; this one runs as a new instance');
  // Only one process delivers from a SQLite queue, so any lease found at start is a dead process's.
  const reclaimed = store.capabilities.sharedQueue ? await store.releaseLeases(id) : await store.releaseAllLeases();
  if (reclaimed > 0) log.info({ instance: id, reclaimed }, 'delivery leases of the previous run reclaimed');
  const record = { id, host: me.host, pid: me.pid, startedAt: Date.now() };
  await store.beat(record);

  const pass = periodicPass(
    async () => {
      await store.beat(record);
      const silent = await store.takeOverSilentInstances(silentMs);
      for (const s of silent) {
        log.warn({ instance: s.id, released: s.released, silentMs }, 'instance stopped heart-beating; its delivery leases are taken over');
      }
      if (silent.some((s) => s.released > 0)) deps.wake();
    },
    { intervalMs, log, name: 'heartbeat' },
  );
  return {
    id,
    start: () => pass.start(),
    async retire() {
      await pass.stop();
      await store.releaseLeases(id);
      await store.removeInstance(id);
    },
  };
}
