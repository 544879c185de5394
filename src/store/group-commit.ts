/**
 * Group commit: writes that arrive while the event loop is busy run in one transaction, so N
 * concurrent requests share one fsync instead of paying N. If the shared transaction fails, each
 * write is retried alone, so one bad write cannot fail its neighbours.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Work<R> = (trx: Transaction<Database>) => Promise<R>;

export interface WriteBatcher {
  run<R>(work: Work<R>): Promise<R>;
}

interface Pending {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export function createWriteBatcher(
  db: Kysely<Database>,
  options: { maxBatch?: number; afterCommit?: () => Promise<void> } = {},
): WriteBatcher {
  const maxBatch = options.maxBatch ?? 256;
  let queue: Pending[] = [];
  let running = false;

  async function commit(batch: Pending[]): Promise<unknown[]> {
    const results = await db.transaction().execute(async (trx) => {
      const out: unknown[] = [];
      for (const p of batch) out.push(await p.work(trx));
      return out;
    });
    await options.afterCommit?.();
    return results;
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await commit(batch);
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        for (const p of batch) {
          try {
            p.resolve((await commit([p]))[0]);
          } catch (single) {
            p.reject(single);
          }
        }
      }
    }
    running = false;
  }

  return {
    run<R>(work: Work<R>): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        // setImmediate lets every request already parsed in this turn join the batch.
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
