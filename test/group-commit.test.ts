import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from '../src/store/group-commit.js';
import type { Database as Schema } from '../src/store/schema.js';
import { withTempDir } from './helpers/temp-dir.js';

/** A real SQLite file in WAL mode whose `synchronous` setting the batcher switches, as the SQLite store does. */
async function withDatabase(run: (db: Kysely<Schema>, raw: Database.Database, switches: boolean[]) => Promise<void>): Promise<void> {
  const { dir, remove } = await withTempDir();
  const raw = new Database(path.join(dir, 'batch.sqlite'));
  raw.pragma('journal_mode = WAL');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  const switches: boolean[] = [];
  try {
    await run(db, raw, switches);
  } finally {
    await db.destroy();
    await remove();
  }
}

/** What SQLite will do at this transaction's commit: 1 = NORMAL (no fsync in WAL mode), 2 = FULL. */
async function synchronousIn(trx: Kysely<Schema>): Promise<number> {
  const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(trx);
  return rows[0]?.synchronous ?? -1;
}

describe('createWriteBatcher durability', () => {
  it('commits a batch of only relaxed writes without fsync, and fsyncs as soon as one durable write shares the batch', async () => {
    await withDatabase(async (db, raw, switches) => {
      const writes = createWriteBatcher(db, {
        setDurability(durable) {
          switches.push(durable);
          raw.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
        },
      });

      const relaxed = await Promise.all([
        writes.run((trx) => synchronousIn(trx), { durable: false }),
        writes.run((trx) => synchronousIn(trx), { durable: false }),
      ]);
      expect(relaxed).toEqual([1, 1]);

      const mixed = await Promise.all([writes.run((trx) => synchronousIn(trx), { durable: false }), writes.run((trx) => synchronousIn(trx))]);
      expect(mixed).toEqual([2, 2]);
      // One switch per batch: two batches, the first relaxed, the second durable.
      expect(switches).toEqual([false, true]);
    });
  });
});
