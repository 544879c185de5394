/**
 * Group commit durability on a real SQLite file: relaxed batches skip fsync; durable ones are
 * fsynced in SQLite's commit, or (with a WAL sync) answered only after that sync.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from '../src/store/group-commit.js';
import type { Database as Schema } from '../src/store/schema.js';
import { relaxedCommits } from '../src/store/sqlite/relaxed-commit.js';
import { createWalSync } from '../src/store/sqlite/wal-sync.js';
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

  it('with a WAL sync, answers a durable batch only after the sync and commits the next batch meanwhile', async () => {
    const { dir, remove } = await withTempDir();
    const file = path.join(dir, 'batch.sqlite');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
    await sql`CREATE TABLE t (n INTEGER)`.execute(db);
    const wal = createWalSync(`${file}-wal`);
    // The test holds each sync open until it lets it go, then runs the real fdatasync.
    const held: Array<() => void> = [];
    let fail = false;
    const sync = () =>
      new Promise<void>((resolve, reject) => held.push(() => (fail ? reject(new Error('EIO')) : resolve()))).then(() => wal.sync());
    const writes = createWriteBatcher(db, { relaxed: relaxedCommits(db, raw), sync });
    const count = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db)).rows[0]?.n);
    try {
      let answered = false;
      const first = writes.run(async (trx) => {
        await sql`INSERT INTO t VALUES (1)`.execute(trx);
        return synchronousIn(trx);
      });
      void first.then(() => (answered = true));
      while (held.length === 0) await new Promise((r) => setImmediate(r));
      // Committed (visible), not yet answered: its sync is still held.
      expect(await count()).toBe(1);
      expect(answered).toBe(false);
      // The next batch commits while the first one's sync is outstanding.
      const second = writes.run((trx) => sql`INSERT INTO t VALUES (2)`.execute(trx));
      while (held.length < 2) await new Promise((r) => setImmediate(r));
      expect(await count()).toBe(2);
      held.shift()?.();
      // Committed without SQLite's own fsync (NORMAL); the sync made it durable.
      expect(await first).toBe(1);
      held.shift()?.();
      await second;

      // A failed sync fails the writes it was to make durable.
      fail = true;
      const third = writes.run((trx) => sql`INSERT INTO t VALUES (3)`.execute(trx));
      while (held.length === 0) await new Promise((r) => setImmediate(r));
      held.shift()?.();
      await expect(third).rejects.toThrow('EIO');
    } finally {
      await db.destroy();
      await wal.close();
      await remove();
    }
  });
  it('syncs a durable batch with nothing queued behind it on the calling thread, one with writes waiting on the pool', async () => {
    const { dir, remove } = await withTempDir();
    const file = path.join(dir, 'here.sqlite');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
    await sql`CREATE TABLE t (n INTEGER)`.execute(db);
    const wal = createWalSync(`${file}-wal`);
    const calls: string[] = [];
    let failHere = false;
    const writes = createWriteBatcher(db, {
      relaxed: relaxedCommits(db, raw),
      sync: async () => {
        calls.push('pool');
        await wal.sync();
      },
      syncHere: () => {
        calls.push('here');
        if (failHere) throw new Error('EIO');
        wal.syncHere();
      },
    });
    const insert = (n: number) => writes.run((trx) => sql`INSERT INTO t VALUES (${n})`.execute(trx));
    try {
      await insert(1);
      expect(calls).toEqual(['here']);
      // A write arriving while this batch commits waits behind it: the batch goes to the pool.
      let behind: Promise<unknown> | undefined;
      await writes.run(async (trx) => {
        behind = insert(3);
        await sql`INSERT INTO t VALUES (2)`.execute(trx);
      });
      await behind;
      expect(calls).toEqual(['here', 'pool', 'here']);
      // Relaxed batches are not synced at all.
      await writes.run((trx) => sql`INSERT INTO t VALUES (4)`.execute(trx), { durable: false });
      expect(calls).toHaveLength(3);
      failHere = true;
      await expect(insert(5)).rejects.toThrow('EIO');
    } finally {
      await db.destroy();
      await wal.close();
      await remove();
    }
  });
});
