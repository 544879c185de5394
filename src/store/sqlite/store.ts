/** The embedded default backend: one SQLite file (WAL, synchronous=FULL) holding small blobs too, plus files for large ones. */
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database as Schema } from '../schema.js';
import { createSqlStore } from '../sql/sql-store.js';
import type { Capabilities, Store } from '../../core/storage/store.js';
import { createFileBlobStore } from './blob-store.js';
import { createInlineBlobStore, INLINE_BLOB_MAX_BYTES } from './inline-blob-store.js';
import { migrateSqlite } from './migrate.js';
import { relaxedCommits } from './relaxed-commit.js';
import { LOCK_WAIT_MS, MailgateSqliteDialect } from './dialect.js';
import { openWakeChannel } from './wake-channel.js';
import { createWalSync } from './wal-sync.js';

export const SQLITE_CAPABILITIES: Capabilities = {
  skipLocked: false,
  listenNotify: false,
  sharedRateLimits: false,
  sharedQueue: false,
  logHorizon: false,
};

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the API answers 2xx.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Statements outside a transaction wait this long for the write lock; transactions wait without
  // blocking the thread for as long (dialect.ts).
  db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
  return db;
}

/** Applies pending migrations to the data dir's database; returns their names (`mailgate migrate`). */
export async function migrateSqliteFile(dataDir: string): Promise<string[]> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const raw = openDatabase(path.join(dataDir, 'mailgate.sqlite'));
  try {
    return await migrateSqlite(raw);
  } finally {
    raw.close();
  }
}

export async function openSqliteStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const raw = openDatabase(path.join(dataDir, 'mailgate.sqlite'));
  await migrateSqlite(raw);
  const db = new Kysely<Schema>({ dialect: new MailgateSqliteDialect(raw) });
  const wake = openWakeChannel(raw);
  const wal = createWalSync(path.join(dataDir, 'mailgate.sqlite-wal'));
  return createSqlStore({
    db,
    capabilities: SQLITE_CAPABILITIES,
    // Julian days to Unix ms: SQLite's own clock, as PostgreSQL's is used there.
    now: sql<number>`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`,
    // No cache of recent blobs: delivery threads read through their own connection, and an inline
    // blob is one indexed row away.
    blobs: (writes) => createInlineBlobStore(db, writes, createFileBlobStore(path.join(dataDir, 'blobs'))),
    inlineBlobMaxBytes: INLINE_BLOB_MAX_BYTES,
    relaxed: relaxedCommits(db, raw),
    sync: () => wal.sync(),
    syncHere: () => wal.syncHere(),
    // Commits by other processes (the CLI) on the same file.
    onWake: (listener) => wake.onWake(listener),
    close: async () => {
      wake.close();
      await db.destroy();
      await wal.close();
    },
  });
}
