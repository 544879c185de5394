/**
 * Kysely's SQLite dialect over better-sqlite3, with statements cached (statement-cache.ts) and one
 * fix: when SQLite has already rolled a transaction back by itself (SQLITE_FULL, some I/O errors),
 * Kysely's own ROLLBACK fails with "no transaction is active" and that error replaced the real one,
 * so a full disk looked like an internal error. The rollback is skipped when nothing is open.
 */
import type Database from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { withStatementCache } from './statement-cache.js';

class RollbackSafeDriver extends SqliteDriver {
  readonly #raw: Database.Database;

  constructor(raw: Database.Database) {
    super({ database: withStatementCache(raw) });
    this.#raw = raw;
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
    return new RollbackSafeDriver(this.#raw);
  }
}
