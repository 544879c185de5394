/** How delivery uses the machine's cores (docs/delivery-threads.md), spread into config.ts's OPTIONS. */
import { availableParallelism } from 'node:os';
import { int } from './parsers.js';

export interface DeliveryThreadConfig {
  /** Worker threads that lease, send and settle deliveries; 0: the serving thread delivers itself. */
  deliveryThreads: number;
}

/** The most threads the default picks: they share one store, whose writes do not scale further. */
const MAX_DEFAULT_THREADS = 4;

/** One core serves the APIs and SMTP; the others deliver (none on a single core). */
export function defaultDeliveryThreads(cores = availableParallelism()): number {
  return Math.min(Math.max(cores - 1, 0), MAX_DEFAULT_THREADS);
}

export function deliveryThreadOptions() {
  return {
    deliveryThreads: { key: 'deliveryThreads', env: 'MAILGATE_DELIVERY_THREADS', parse: int(0, 64, defaultDeliveryThreads()) },
  } as const;
}
