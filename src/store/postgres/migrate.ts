/**
 * Applies the numbered PostgreSQL migrations under an advisory lock, so that several gateway
 * processes starting at once against one database migrate it exactly once. Each migration runs in
 * its own transaction with its record in schema_migrations.
 */
import type pg from 'pg';
import { runMigrations } from '../migrations.js';

/** Applies pending migrations to the first schema of the connection's search_path; returns their names. */
export async function migratePostgres(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
    const schema = rows[0]?.schema;
    // PostgreSQL's own SQLSTATE for it (invalid_schema_name), so callers can tell it apart.
    if (!schema) throw Object.assign(new Error('no schema of the search_path exists in this database; create it first'), { code: '3F000' });
    // The lock is per schema: test runs and tenants in other schemas migrate independently.
    const lock = `mailgate:migrations:${schema}`;
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
      return await runMigrations('postgres', {
        async applied() {
          const done = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
          return new Set(done.rows.map((r) => r.name));
        },
        async apply(name, script) {
          await client.query('BEGIN');
          try {
            await client.query(script);
            await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [name, Date.now()]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
          }
        },
      });
    } finally {
      // Ending the session would release the lock too; unlocking keeps the pooled connection clean.
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
