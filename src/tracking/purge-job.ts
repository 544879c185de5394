/**
 * Retention in the running gateway: at start, dates undated messages and applies a changed period
 * (the difference shows as `retentionAdjustmentDays`); then, every interval, removes the raw
 * message of each message past its purge date. The message row, recipients, events and content
 * summary stay, so the message is still found and explained. Litigation holds, and recipients
 * still waiting or held, keep the raw message.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/ports.js';
import { EVENT_KIND } from '../core/tracking.js';
import type { MessageRecord, Store } from '../core/storage/store.js';
import { readMessageContent } from './message-content.js';
import { periodicPass } from '../services/periodic-pass.js';

export interface PurgeJob {
  /** Applies the retention period, purges what is due, then repeats every interval. */
  start(): Promise<void>;
  /** One purge pass; resolves with the number of messages purged. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export interface PurgeJobDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  retentionMs: number;
  intervalMs: number;
  batchSize?: number;
}

export function createPurgeJob(deps: PurgeJobDeps): PurgeJob {
  const { store, clock, log } = deps;
  const batchSize = deps.batchSize ?? 100;

  async function purge(message: MessageRecord): Promise<boolean> {
    if ((await store.getMessageSummary(message.id)) === undefined) {
      try {
        const raw = await store.blobs.get(message.blobKey);
        await store.saveMessageSummary(message.id, (await readMessageContent(raw)).summary);
      } catch (err) {
        // Already gone (a pass that stopped between delete and mark): tracking falls back to the row.
        log.warn({ err, messageId: message.id }, 'purge: raw message unreadable, purging without a summary');
      }
    }
    // Delete, then mark: if we stop in between, the next pass deletes nothing and marks it.
    await store.blobs.delete(message.blobKey);
    const now = clock.now();
    return store.markPurged(message.id, now, {
      messageId: message.id,
      kind: EVENT_KIND.purged,
      at: now,
      detail: { by: 'retention', purgeAt: message.purgeAt, size: message.size },
    });
  }

  async function pass(): Promise<number> {
    let purged = 0;
    for (;;) {
      const due = await store.listPurgeable(clock.now(), batchSize);
      for (const message of due) if (await purge(message)) purged += 1;
      if (due.length < batchSize) break;
    }
    if (purged > 0) log.info({ purged }, 'purge: raw messages past their retention date removed');
    // Remembered first answers of idempotent requests (docs/retries.md) expire on the same tick.
    const answers = await store.purgeIdempotencyKeys(clock.now());
    if (answers > 0) log.debug({ answers }, 'purge: expired idempotency keys removed');
    return purged;
  }

  const periodic = periodicPass(pass, { intervalMs: deps.intervalMs, log, name: 'purge' });
  return {
    async start() {
      const applied = await store.applyRetention(deps.retentionMs);
      if (applied.dated + applied.adjusted > 0) log.info(applied, 'retention: purge dates set for the current period');
      periodic.start();
    },
    runOnce: () => periodic.runOnce(),
    stop: () => periodic.stop(),
  };
}
