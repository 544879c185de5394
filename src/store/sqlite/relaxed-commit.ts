/**
 * Transactions whose commit need not wait for the disk. In WAL mode synchronous=NORMAL skips the
 * fsync at commit; the next FULL commit's fsync carries those frames with it, so order is kept and
 * only relaxed writes can be lost in a crash. The setting can only change outside a transaction,
 * so the one connection is held for the switch and the transaction: nothing else can run, let
 * alone commit, under NORMAL.
 */
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { WriteBatcherOptions } from '../group-commit.js';
import type { Database as Schema } from '../schema.js';

export function relaxedCommits(db: Kysely<Schema>, raw: Database.Database): NonNullable<WriteBatcherOptions['relaxed']> {
  return (transact) =>
    db.connection().execute(async (connection) => {
      raw.pragma('synchronous = NORMAL');
      try {
        return await transact(connection);
      } finally {
        raw.pragma('synchronous = FULL');
      }
    });
}
