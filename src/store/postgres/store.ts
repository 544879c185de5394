/**
 * The shared backend: many gateway processes on one PostgreSQL database. Queries are the shared
 * ones over Kysely's PostgresDialect; blobs live in the database so any process can deliver any
 * message; LISTEN/NOTIFY wakes the other processes' workers; calls ride out outages with backoff.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { MailgateError } from '../../core/errors.js';
import type { Database as Schema } from '../schema.js';
import { createSqlStore } from '../sql/sql-store.js';
import type { Capabilities, Store } from '../../core/storage/store.js';
import { migratePostgres } from './migrate.js';
import { createPgBlobStore } from './blob-store.js';
import { blobsWithReconnect, withReconnect } from './reconnect.js';
import { openWakeChannel } from './wake-channel.js';

export const POSTGRES_CAPABILITIES: Capabilities = {
  skipLocked: true,
  listenNotify: true,
  sharedRateLimits: true,
  sharedQueue: true,
  logHorizon: true,
};

export interface PostgresOptions {
  /** `postgres://user:pass@host:port/db`; libpq's `?options=-c search_path=…` selects a schema. */
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  /** How long a call keeps retrying while the database is unreachable. */
  retryMs: number;
  log?: Logger | undefined;
}

const INT8_OID = 20;

/** BIGINT columns hold ms timestamps and byte sizes, all far below 2^53; anything larger stays text. */
function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function clientConfig(options: PostgresOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    application_name: 'mailgate',
    types,
  };
}

/** A pool that has answered a query, or a clear `unavailable` error naming the database. */
async function connectPool(options: PostgresOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({ ...clientConfig(options), max: options.poolSize, idleTimeoutMillis: 30_000 });
  // Connections die when the server restarts or the network drops; an 'error' event without a
  // listener would crash the process. Idle ones report on the pool, checked-out ones on the client
  // (their query fails too, and the call is retried).
  pool.on('error', (err) => options.log?.warn({ err: err.message }, 'database: idle connection lost'));
  pool.on('connect', (client) => client.on('error', (err) => options.log?.warn({ err: err.message }, 'database: connection lost')));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new MailgateError('unavailable', `cannot reach PostgreSQL at ${redactUrl(options.url)}: ${(error as Error).message}`);
  }
  return pool;
}

/** Applies pending migrations (under an advisory lock) and returns their names; for `mailgate migrate`. */
export async function migratePostgresDatabase(options: PostgresOptions): Promise<string[]> {
  const pool = await connectPool(options);
  try {
    return await migratePostgres(pool);
  } finally {
    await pool.end();
  }
}

export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const pool = await connectPool(options);
  try {
    await migratePostgres(pool);
    const { rows } = await pool.query<{ schema: string }>('SELECT current_schema() AS schema');
    // NOTIFY is database-wide; one channel per schema keeps separate installations (and test runs) apart.
    const channel = `mailgate_wake_${rows[0]?.schema ?? 'public'}`.slice(0, 63);
    const wake = await openWakeChannel(pool, clientConfig(options), channel, options.log);
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    const policy = { retryMs: options.retryMs, log: options.log };
    const store = createSqlStore({
      db,
      capabilities: POSTGRES_CAPABILITIES,
      now: sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`,
      blobs: () => blobsWithReconnect(createPgBlobStore(pool), policy),
      // Every blob is a row here: an accepted message's is written in the message's own commit.
      inlineBlobMaxBytes: Number.POSITIVE_INFINITY,
      afterNewWork: () => wake.notify(),
      onWake: (listener) => wake.onWake(listener),
      async close() {
        await wake.close();
        await db.destroy();
      },
    });
    return withReconnect(store, policy);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
