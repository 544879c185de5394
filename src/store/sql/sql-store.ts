/** A Store from one Kysely connection: every backend shares these queries and differs only in capabilities. */
import type { Kysely, RawBuilder } from 'kysely';
import type { BlobStore } from '../../core/ports.js';
import { createWriteBatcher, RELAXED, type WriteBatcher, type WriteBatcherOptions } from '../group-commit.js';
import type { Database } from '../schema.js';
import type { Capabilities, Store } from '../../core/storage/store.js';
import { digestQueries } from './digest-queries.js';
import { consoleQueries } from './console-queries.js';
import { draftQueries } from './draft-queries.js';
import { guessCounterQueries } from './guess-counter-queries.js';
import { healthQueries } from './health-queries.js';
import { idempotencyQueries } from './idempotency-queries.js';
import { identityQueries } from './identity-queries.js';
import { inboundQueries } from './inbound-queries.js';
import { mailboxQueries } from './mailbox-queries.js';
import { mailboxStateQueries } from './mailbox-state-queries.js';
import { instanceQueries } from './instance-queries.js';
import { blobRowInserter } from './blob-rows.js';
import { messageInserter, messageQueries } from './message-queries.js';
import { oauthGrantQueries } from './oauth-grant-queries.js';
import { oauthQueries } from './oauth-queries.js';
import { queueQueries } from './queue-queries.js';
import { queueControlQueries } from './queue-control-queries.js';
import { rateLimitQueries } from './rate-limit-queries.js';
import { settingsQueries } from './settings-queries.js';
import { suppressionQueries } from './suppression-queries.js';
import { trackingQueries } from './tracking-queries.js';
import { uploadQueries } from './upload-queries.js';
import { webhookQueries } from './webhook-queries.js';

export interface SqlStoreParts {
  db: Kysely<Database>;
  capabilities: Capabilities;
  /** The database's clock in ms, as SQL (heartbeats from many hosts compare on one clock). */
  now: RawBuilder<number>;
  /** The blob store, given the store's group commit (blobs in the database write through it). */
  blobs: (writes: WriteBatcher) => BlobStore;
  /** Accepted messages up to this size are `blobs` rows written in the message's own commit. */
  inlineBlobMaxBytes: number;
  /** Called after a commit that queued new work (e.g. NOTIFY other processes); must not throw. */
  afterNewWork?: () => void;
  /** Subscribes to new work committed by other processes (e.g. LISTEN); absent when none can exist. */
  onWake?: Store['onWake'];
  /** Runs a transaction whose commit need not wait for the disk (see WriteOptions). */
  relaxed?: WriteBatcherOptions['relaxed'];
  /** Makes relaxed commits durable off the event loop (see WriteBatcherOptions). */
  sync?: WriteBatcherOptions['sync'];
  /** `sync` on the calling thread (see WriteBatcherOptions). */
  syncHere?: WriteBatcherOptions['syncHere'];
  close(): Promise<void>;
}

export function createSqlStore(parts: SqlStoreParts): Store {
  const { db, afterNewWork } = parts;
  // Only commits that queued mail wake other processes: waking on lease commits would ping-pong.
  let newWork = false;
  const afterCommit = async () => {
    if (!newWork) return;
    newWork = false;
    afterNewWork?.();
  };
  const writes = createWriteBatcher(db, {
    ...(afterNewWork ? { afterCommit } : {}),
    ...(parts.relaxed ? { relaxed: parts.relaxed } : {}),
    ...(parts.sync ? { sync: parts.sync } : {}),
    ...(parts.syncHere ? { syncHere: parts.syncHere } : {}),
  });
  const requeued = () => {
    newWork = true;
  };
  const insertMessage = messageInserter();
  const insertBlobRow = blobRowInserter();
  const blobs = parts.blobs(writes);
  return {
    capabilities: parts.capabilities,
    blobs,
    onWake: parts.onWake ?? (() => () => undefined),
    async acceptMessage(message, content, options = {}) {
      const inline = content !== undefined && content.length <= parts.inlineBlobMaxBytes;
      // Larger content is durable on its own (a file and its fsync) before the row that names it.
      if (content && !inline) await blobs.put(message.blobKey, content);
      await writes.run(
        async (trx) => {
          if (inline) await insertBlobRow(trx, message.blobKey, content);
          await insertMessage(trx, message);
          newWork = true;
        },
        options.durable === false ? RELAXED : undefined,
      );
    },
    // An empty durable write: its commit waits for the disk, and so for every commit before it.
    flushWrites: () => writes.run(async () => undefined),
    ...identityQueries(db),
    ...messageQueries(db),
    ...queueQueries(db, writes, parts.capabilities),
    ...mailboxQueries(db),
    ...mailboxStateQueries(db),
    ...oauthQueries(db),
    ...oauthGrantQueries(db),
    ...draftQueries(db),
    ...uploadQueries(db),
    ...idempotencyQueries(db, writes),
    ...settingsQueries(db, writes),
    ...rateLimitQueries(writes),
    ...guessCounterQueries(db, writes),
    ...healthQueries(db, writes),
    ...trackingQueries(db, writes),
    ...consoleQueries(db, writes),
    ...webhookQueries(db, writes, parts.capabilities),
    ...inboundQueries(db, writes, requeued),
    ...queueControlQueries(db, writes, parts.capabilities, requeued),
    ...digestQueries(db, writes, requeued),
    ...instanceQueries(db, writes, parts.now, requeued),
    ...suppressionQueries(db),
    close: () => parts.close(),
  };
}
