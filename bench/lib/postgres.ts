/**
 * PostgreSQL for the benches: a fresh database per measured row on the local server (trust auth),
 * copied from a template database the CLI prepared once, and dropped after the row.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server's maintenance database; the benches create and drop theirs through it. */
export const POSTGRES_ADMIN_URL = process.env.MAILGATE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  /** MAILGATE_DATABASE_URL for the gateway (and the CLI). */
  url: string;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty database, or a copy of `template` (which must have no open connections). */
export async function createDatabase(template?: string): Promise<BenchDatabase> {
  const name = `mgbench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
