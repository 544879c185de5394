/**
 * Group commit: writes that arrive while the event loop is busy run in one transaction, so N
 * concurrent requests share one fsync instead of paying N. If the shared transaction fails, each
 * write is retried alone, so one bad write cannot fail its neighbours.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Work<R> = (trx: Transaction<Database>) => Promise<R>;

export interface WriteOptions {
  /**
   * false: the commit may reach the disk with the next durable one instead of being fsynced now.
   * Only for writes whose loss in a crash repeats work (a lease expires, a delivery is retried)
   * rather than losing mail; anything answered 2xx stays durable (the default).
   */
  durable?: boolean;
}

/** A write whose loss in a crash only repeats work (see WriteOptions.durable). */
export const RELAXED: WriteOptions = { durable: false };

export interface WriteBatcher {
  run<R>(work: Work<R>, options?: WriteOptions): Promise<R>;
}

export interface WriteBatcherOptions {
  maxBatch?: number;
  afterCommit?: () => Promise<void>;
  /**
   * Runs a batch in which no write must be durable: a backend that can commit without waiting for
   * the disk does so for this transaction alone (absent: every batch is durable).
   */
  relaxed?: <R>(transact: (db: Kysely<Database>) => Promise<R>) => Promise<R>;
  /**
   * Makes every relaxed commit so far durable, off the event loop (SQLite: an fdatasync of the WAL
   * file). When given, durable batches too commit relaxed and then wait for this, and the next
   * batch commits while the disk is busy (docs/storage.md).
   */
  sync?: () => Promise<void>;
  /**
   * The same as `sync`, on the calling thread. Used for a batch with no write queued behind it:
   * the round trip through the thread pool would add as much again as the sync itself, and no
   * other write is waiting for the disk (docs/storage.md).
   */
  syncHere?: () => void;
}

interface Pending {
  durable: boolean;
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export function createWriteBatcher(db: Kysely<Database>, options: WriteBatcherOptions = {}): WriteBatcher {
  const maxBatch = options.maxBatch ?? 256;
  const { relaxed, sync } = options;
  let queue: Pending[] = [];
  let running = false;

  async function commit(batch: Pending[]): Promise<unknown[]> {
    const transact = (on: Kysely<Database>) =>
      on.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const p of batch) out.push(await p.work(trx));
        return out;
      });
    const durable = batch.some((p) => p.durable);
    return relaxed && (!durable || sync) ? relaxed(transact) : transact(db);
  }

  /** Answers the batch once it is durable; the drain loop goes on meanwhile. */
  function settle(batch: Pending[], results: unknown[]): void {
    // A durable batch that commit() ran relaxed is on disk only after the sync.
    const needsSync = relaxed && sync && batch.some((p) => p.durable);
    const { syncHere } = options;
    // A throw from syncHere inside the executor rejects, as a failed sync does.
    const onDisk = !needsSync ? Promise.resolve() : queue.length === 0 && syncHere ? new Promise<void>((resolve) => resolve(syncHere())) : sync();
    onDisk
      .then(async () => {
        await options.afterCommit?.();
        batch.forEach((p, i) => p.resolve(results[i]));
      })
      .catch((error: unknown) => {
        // The commit may or may not have reached the disk: nobody is told it did.
        for (const p of batch) p.reject(error);
      });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        settle(batch, await commit(batch));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        for (const p of batch) {
          try {
            settle([p], await commit([p]));
          } catch (single) {
            p.reject(single);
          }
        }
      }
    }
    running = false;
  }

  return {
    run<R>(work: Work<R>, writeOptions: WriteOptions = {}): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ durable: writeOptions.durable ?? true, work, resolve: resolve as (value: unknown) => void, reject });
        // setImmediate lets every request already parsed in this turn join the batch.
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
