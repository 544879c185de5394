/**
 * One writer at a time on SQLite (docs/storage.md, "One writer at a time"): while another
 * connection (a delivery thread, the CLI) holds the write lock, a store transaction waits for it
 * without blocking its thread, then commits; held past the wait limit, it fails as SQLite's busy
 * timeout would, and nothing of it is stored.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/core/storage/store.js';
import { LOCK_WAIT_MS } from '../src/store/sqlite/dialect.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { withTempDir } from './helpers/temp-dir.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function storeWithRival(): Promise<{ store: Store; rival: Database.Database }> {
  const { dir, remove } = await withTempDir();
  cleanups.push(remove);
  const store = await openSqliteStore(dir);
  cleanups.push(() => store.close());
  const rival = new Database(path.join(dir, 'mailgate.sqlite'));
  cleanups.push(() => rival.close());
  return { store, rival };
}

/** Turns of the event loop until `done` settles (a blocked thread would count none). */
async function turnsUntil(done: Promise<unknown>): Promise<number> {
  let settled = false;
  void done.then(
    () => (settled = true),
    () => (settled = true),
  );
  let turns = 0;
  while (!settled && turns < 50) {
    await new Promise((resolve) => setImmediate(resolve));
    turns++;
  }
  return turns;
}

describe('SQLite write lock held by another connection', () => {
  it('waits without blocking the thread, and commits once the lock is free', async () => {
    const { store, rival } = await storeWithRival();
    rival.exec('BEGIN IMMEDIATE');
    const write = store.blobs.put('waiting-blob-0001', Buffer.from('waited'));
    // The event loop keeps turning while the write waits for the lock.
    expect(await turnsUntil(write)).toBe(50);
    rival.exec('COMMIT');
    await write;
    expect(await store.blobs.get('waiting-blob-0001')).toEqual(Buffer.from('waited'));
  });

  it(`fails with SQLITE_BUSY when the lock stays taken past ${LOCK_WAIT_MS} ms, storing nothing`, async () => {
    const { store, rival } = await storeWithRival();
    rival.exec('BEGIN IMMEDIATE');
    await expect(store.blobs.put('refused-blob-0001', Buffer.from('never'))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    rival.exec('ROLLBACK');
    await expect(store.blobs.get('refused-blob-0001')).rejects.toThrow();
  }, LOCK_WAIT_MS + 10_000);
});
