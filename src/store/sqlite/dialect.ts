/**
 * Kysely's SQLite dialect over better-sqlite3, with statements cached (statement-cache.ts) and two
 * changes to how transactions begin and end (docs/storage.md, "One writer at a time"):
 *
 * - A transaction takes the write lock at BEGIN (BEGIN IMMEDIATE) and, while another connection
 *   (a delivery thread, the CLI) holds it, waits without blocking the thread: SQLite's own busy
 *   handler sleeps the thread for 1, 2, 5… ms, and on the serving thread that stopped every request.
 * - When SQLite has already rolled a transaction back by itself (SQLITE_FULL, some I/O errors),
 *   Kysely's own ROLLBACK fails with "no transaction is active" and that error replaced the real
 *   one, so a full disk looked like an internal error. The rollback is skipped when nothing is open.
 */
import type Database from 'better-sqlite3';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { withStatementCache } from './statement-cache.js';

/** How long a transaction waits for the write lock before failing with SQLITE_BUSY, as busy_timeout would. */
export const LOCK_WAIT_MS = 5000;
/**
 * For this long the lock is tried again on the next turn of the event loop (other work runs in
 * between), then once a millisecond: the other writer's transactions are short, and trying every
 * turn for longer burns the CPU that writer needs to finish.
 */
const QUICK_WAIT_MS = 0.5;

class MailgateSqliteDriver extends SqliteDriver {
  readonly #raw: Database.Database;
  readonly #beginImmediate: Database.Statement;

  constructor(raw: Database.Database) {
    super({ database: withStatementCache(raw) });
    this.#raw = raw;
    this.#beginImmediate = raw.prepare('BEGIN IMMEDIATE');
  }

  /** Tries once without SQLite's busy wait; false when another connection holds the write lock. */
  #tryBegin(): boolean {
    // Applied by running the PRAGMA anew: a prepared PRAGMA sets the value when it is compiled only.
    this.#raw.pragma('busy_timeout = 0');
    try {
      this.#beginImmediate.run();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    } finally {
      this.#raw.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
    }
  }

  override async beginTransaction(): Promise<void> {
    const start = performance.now();
    while (!this.#tryBegin()) {
      const waited = performance.now() - start;
      if (waited > LOCK_WAIT_MS) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      await (waited < QUICK_WAIT_MS ? nextTurn() : sleep(1));
    }
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#raw.inTransaction) await super.rollbackTransaction(connection);
  }
}

export class MailgateSqliteDialect extends SqliteDialect {
  readonly #raw: Database.Database;

  constructor(raw: Database.Database) {
    super({ database: raw });
    this.#raw = raw;
  }

  override createDriver(): Driver {
    return new MailgateSqliteDriver(this.#raw);
  }
}
