/** Group commit durability on a real SQLite file: relaxed batches skip fsync, nothing else ever does. */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from '../src/store/group-commit.js';
import type { Database as Schema } from '../src/store/schema.js';
import { relaxedCommits } from '../src/store/sqlite/relaxed-commit.js';
import { withTempDir } from './helpers/temp-dir.js';

/** What SQLite will do at this connection's next commit: 1 = NORMAL (no fsync in WAL mode), 2 = FULL. */
async function synchronousIn(on: Kysely<Schema>): Promise<number> {
  const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(on);
  return rows[0]?.synchronous ?? -1;
}

describe('group commit durability (SQLite)', () => {
  it('commits batches of only relaxed writes without fsync, and everything else with it', async () => {
    const { dir, remove } = await withTempDir();
    const raw = new Database(path.join(dir, 'batch.sqlite'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
    const writes = createWriteBatcher(db, { relaxed: relaxedCommits(db, raw) });
    try {
      let outside: Promise<number> | undefined;
      const relaxed = writes.run(
        (trx) => {
          // Issued while the relaxed batch holds the connection: it must wait, then run under FULL.
          outside = synchronousIn(db);
          return synchronousIn(trx);
        },
        { durable: false },
      );
      expect(await Promise.all([relaxed, writes.run((trx) => synchronousIn(trx), { durable: false })])).toEqual([1, 1]);
      expect(await outside).toBe(2);

      const mixed = await Promise.all([writes.run((trx) => synchronousIn(trx), { durable: false }), writes.run((trx) => synchronousIn(trx))]);
      expect(mixed).toEqual([2, 2]);
      expect(await synchronousIn(db)).toBe(2);

      // A failing relaxed batch still restores FULL.
      await expect(writes.run(() => Promise.reject(new Error('boom')), { durable: false })).rejects.toThrow('boom');
      expect(await synchronousIn(db)).toBe(2);
    } finally {
      await db.destroy();
      await remove();
    }
  });
});
