/** The embedded default backend: one SQLite file (WAL, synchronous=FULL) plus file blobs. */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createFileBlobStore } from '../file-blob-store.js';
import { runMigrations } from '../migrations.js';
import { withRecentBlobCache } from '../recent-blob-cache.js';
import type { Database as Schema } from '../schema.js';
import { createSqlStore } from '../sql/sql-store.js';
import type { Capabilities, Store } from '../../core/storage/store.js';
import { relaxedCommits } from './relaxed-commit.js';
import { withStatementCache } from './statement-cache.js';

export const SQLITE_CAPABILITIES: Capabilities = { skipLocked: false, listenNotify: false, sharedRateLimits: false };

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the API answers 2xx.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

async function migrate(raw: Database.Database): Promise<string[]> {
  raw.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  return runMigrations('sqlite', {
    async applied() {
      return new Set(raw.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]);
    },
    async apply(name, script) {
      raw.transaction(() => {
        raw.exec(script);
        raw.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(name, Date.now());
      }).immediate();
    },
  });
}

/** Applies pending migrations to the data dir's database; returns their names (`mailgate migrate`). */
export async function migrateSqliteFile(dataDir: string): Promise<string[]> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const raw = openDatabase(path.join(dataDir, 'mailgate.sqlite'));
  try {
    return await migrate(raw);
  } finally {
    raw.close();
  }
}

export async function openSqliteStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const raw = openDatabase(path.join(dataDir, 'mailgate.sqlite'));
  await migrate(raw);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return createSqlStore({
    db,
    capabilities: SQLITE_CAPABILITIES,
    blobs: withRecentBlobCache(createFileBlobStore(path.join(dataDir, 'blobs'))),
    relaxed: relaxedCommits(db, raw),
    close: () => db.destroy(),
  });
}
