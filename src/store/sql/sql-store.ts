/** A Store from one Kysely connection: every backend shares these queries and differs only in capabilities. */
import type { Kysely } from 'kysely';
import type { BlobStore } from '../../core/ports.js';
import { createWriteBatcher } from '../group-commit.js';
import type { Database } from '../schema.js';
import type { Capabilities, Store } from '../store.js';
import { identityQueries } from './identity-queries.js';
import { mailboxQueries } from './mailbox-queries.js';
import { insertMessages, messageQueries } from './message-queries.js';
import { queueQueries } from './queue-queries.js';

export interface SqlStoreParts {
  db: Kysely<Database>;
  capabilities: Capabilities;
  blobs: BlobStore;
  /** Called after each group commit (e.g. NOTIFY other processes). */
  afterCommit?: () => Promise<void>;
  close(): Promise<void>;
}

export function createSqlStore(parts: SqlStoreParts): Store {
  const { db } = parts;
  const writes = createWriteBatcher(db, parts.afterCommit ? { afterCommit: parts.afterCommit } : {});
  return {
    capabilities: parts.capabilities,
    blobs: parts.blobs,
    acceptMessage: (message) => writes.run((trx) => insertMessages(trx, [message])),
    ...identityQueries(db),
    ...messageQueries(db),
    ...queueQueries(db, writes, parts.capabilities),
    ...mailboxQueries(db),
    close: () => parts.close(),
  };
}
