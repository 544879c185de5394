/**
 * Store calls that survive a database outage: a call that fails because the connection is gone is
 * retried with exponential backoff until `retryMs` has passed, then fails as `unavailable` (HTTP
 * 503), so a request is never answered 2xx unless its commit succeeded.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { MailgateError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { BlobStore } from '../../core/ports.js';
import type { Store } from '../../core/storage/store.js';
import { isDuplicateOf, isTransient } from './transient.js';

const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 2_000;

export interface RetryPolicy {
  /** How long one call keeps retrying while the database is unreachable. */
  retryMs: number;
  log?: Logger | undefined;
}

/** Runs `call`, retrying transient failures until the policy's time is up. */
export async function withRetry<R>(name: string, policy: RetryPolicy, call: () => Promise<R>): Promise<R> {
  const deadline = Date.now() + policy.retryMs;
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (Date.now() + pause > deadline) {
        policy.log?.error({ err: error, call: name, attempts: attempt }, 'database unreachable, giving up');
        throw new MailgateError('unavailable', 'The database is unreachable; try again later');
      }
      policy.log?.warn({ err: (error as Error).message, call: name, attempt }, 'database call failed, retrying');
      // Jitter keeps many waiting requests from reconnecting in lockstep.
      await delay(pause * (0.5 + Math.random() / 2));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }
}

/**
 * Every store call retried through an outage. A retry may follow a commit that landed but whose
 * reply was lost, so every write is idempotent (docs/retries.md): fresh-id inserts, conditional
 * updates, and here, write ids fixed once before the first try and carried into every retry.
 */
export function withReconnect(store: Store, policy: RetryPolicy): Store {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    wrapped[key] =
      typeof value === 'function' && key !== 'close' && key !== 'onWake'
        ? (...args: unknown[]) => withRetry(key, policy, () => (value as (...a: unknown[]) => Promise<unknown>)(...args))
        : value;
  }
  const retrying = wrapped as unknown as Store;
  return {
    ...retrying,
    appendEvents: (events, writeId = newId()) => retrying.appendEvents(events, writeId),
    appendAudit: (entry, writeId = newId()) => retrying.appendAudit(entry, writeId),
    actOnQueue: (request, writeId = newId()) => retrying.actOnQueue(request, writeId),
    rememberRequestId: (id, now, keepMs, writer = newId()) => retrying.rememberRequestId(id, now, keepMs, writer),
    settleDelivery: (settlement, now, writeId = newId()) => retrying.settleDelivery(settlement, now, writeId),
    claimDigest: (recipient, period, now, writer = newId()) => retrying.claimDigest(recipient, period, now, writer),
    useDigestLink: (tokenId, now, expiresAt, writer = newId()) => retrying.useDigestLink(tokenId, now, expiresAt, writer),
    async acceptMessage(message, content, options) {
      try {
        await retrying.acceptMessage(message, content, options);
      } catch (error) {
        // The connection died during COMMIT and the commit landed: the retry finds this very
        // message already stored, which is success, not a clash with another message.
        if (!isDuplicateOf(error, 'messages_pkey')) throw error;
        const stored = await retrying.getMessage(message.id);
        if (stored?.internetMessageId !== message.internetMessageId || stored.receivedAt !== message.receivedAt) throw error;
      }
    },
  };
}

/** Blob reads and writes retried through an outage (writes are idempotent upserts); streamed writes are not. */
export function blobsWithReconnect(blobs: BlobStore, policy: RetryPolicy): BlobStore {
  return {
    put: (key, data) => withRetry('blobs.put', policy, () => blobs.put(key, data)),
    // A request body can be read only once: a streamed write that fails is not retried.
    putStream: (key, source, maxBytes) => blobs.putStream(key, source, maxBytes),
    get: (key) => withRetry('blobs.get', policy, () => blobs.get(key)),
    read: (key) => withRetry('blobs.read', policy, () => blobs.read(key)),
    delete: (key) => withRetry('blobs.delete', policy, () => blobs.delete(key)),
  };
}
