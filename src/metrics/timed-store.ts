/** The store with the latency of its busiest operations observed (`mailgate_store_operation_duration_seconds`). */
import type { Histogram } from 'prom-client';
import type { Store } from '../core/storage/store.js';

/**
 * The operations every message passes through, plus the lookups every request makes; a fixed list
 * keeps the histogram's label set small (the store has a hundred methods).
 */
const TIMED = [
  'acceptMessage',
  'leaseDeliveries',
  'settleDelivery',
  'nextDueAt',
  'getMessage',
  'appendEvents',
  'getApiKey',
  'getUserByEmail',
  'getUserById',
  'takeRateToken',
  'queueStats',
  'probeWrite',
] as const satisfies ReadonlyArray<keyof Store>;

export function timedStore(store: Store, histogram: Histogram<'operation'>): Store {
  const timed: Partial<Record<keyof Store, unknown>> = {};
  for (const operation of TIMED) {
    const call = store[operation] as (...args: unknown[]) => Promise<unknown>;
    timed[operation] = async (...args: unknown[]) => {
      const end = histogram.startTimer({ operation });
      try {
        return await call(...args);
      } finally {
        end();
      }
    };
  }
  return { ...store, ...(timed as Partial<Store>) };
}
