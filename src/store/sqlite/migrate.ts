/**
 * Applies the numbered SQLite migrations, each in an immediate transaction with its record in
 * schema_migrations, so a crash mid-migration leaves it unapplied.
 */
import type Database from 'better-sqlite3';
import { runMigrations } from '../migrations.js';

/** Applies pending migrations to an open database; returns their names. */
export async function migrateSqlite(raw: Database.Database): Promise<string[]> {
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
