/** The storage backends every store test runs against, each on a real database with isolated state. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/core/storage/store.js';
import { afterEach } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { withTempDir } from './temp-dir.js';

/** The test PostgreSQL server (trust auth on the CI machine); each test gets its own schema in it. */
export const POSTGRES_ADMIN_URL = process.env.MAILGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database for a gateway: the env that selects it, and its removal. */
export interface TestDatabase {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
  /** Several stores on one fresh database, as several gateway processes would have. */
  openShared(count: number): Promise<{ stores: Store[]; dispose(): Promise<void> }>;
  database(): Promise<TestDatabase>;
}

async function openOne(backend: Backend): Promise<{ store: Store; dispose(): Promise<void> }> {
  const { stores, dispose } = await backend.openShared(1);
  return { store: stores[0] as Store, dispose };
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const SCHEMA_PREFIX = 'mgtest_';
/** Schemas a killed or timed-out run left behind are dropped by a later run once surely unused. */
const ABANDONED_AFTER_MS = 3_600_000;
let sweptAbandoned = false;

async function dropAbandonedSchemas(client: pg.Client): Promise<void> {
  sweptAbandoned = true;
  const { rows } = await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)', [
    SCHEMA_PREFIX,
  ]);
  for (const { name } of rows) {
    const createdAt = parseInt(name.slice(SCHEMA_PREFIX.length).split('_')[0] ?? '', 36);
    if (Date.now() - createdAt > ABANDONED_AFTER_MS) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  }
}

/** A new schema on the test server and the database URL that selects it (libpq `options`). */
export async function createPostgresSchema(): Promise<{ url: string; schema: string; dispose(): Promise<void> }> {
  // The creation time leads the name, so abandoned schemas can be recognised by age.
  const schema = `${SCHEMA_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(async (c) => {
    if (!sweptAbandoned) await dropAbandonedSchemas(c);
    await c.query(`CREATE SCHEMA ${schema}`);
  });
  return {
    url: `${POSTGRES_ADMIN_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    schema,
    dispose: () => admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** The rows of a query, run directly on the database a gateway config points at (SQL both backends read alike). */
export async function queryRows<T>(config: { dataDir: string; databaseUrl: string | undefined }, sql: string): Promise<T[]> {
  if (config.databaseUrl) {
    const client = new pg.Client({ connectionString: config.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(config.dataDir, 'mailgate.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Rows in a table of the database a gateway config points at, read directly from the database. */
export async function countRows(config: { dataDir: string; databaseUrl: string | undefined }, table: string): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(config, `SELECT count(*) AS n FROM ${table}`);
  return Number(row?.n);
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  open: () => openOne(sqliteBackend),
  async openShared(count) {
    const temp = await withTempDir();
    const stores: Store[] = [];
    for (let i = 0; i < count; i++) stores.push(await openSqliteStore(temp.dir));
    return {
      stores,
      async dispose() {
        await Promise.all(stores.map((s) => s.close()));
        await temp.remove();
      },
    };
  },
  // SQLite lives in the gateway's own temp data dir.
  database: async () => ({ env: {}, dispose: async () => undefined }),
};

export const postgresBackend: Backend = {
  name: 'postgres',
  open: () => openOne(postgresBackend),
  async openShared(count) {
    const schema = await createPostgresSchema();
    const stores = await Promise.all(
      Array.from({ length: count }, () => openPostgresStore({ url: schema.url, poolSize: 4, connectTimeoutMs: 5_000, retryMs: 5_000 })),
    );
    return {
      stores,
      async dispose() {
        await Promise.all(stores.map((s) => s.close()));
        await schema.dispose();
      },
    };
  },
  async database() {
    const schema = await createPostgresSchema();
    return { env: { MAILGATE_DATABASE_URL: schema.url }, dispose: schema.dispose };
  },
};

export const backends: Backend[] = [sqliteBackend, postgresBackend];

/** The backend of test gateways: the vitest `postgres` project runs the end-to-end files again on PostgreSQL. */
export const gatewayBackend: Backend = process.env.MAILGATE_TEST_BACKEND === 'postgres' ? postgresBackend : sqliteBackend;

/**
 * For a test file: `shared(backend, n)` opens n stores on one fresh database, as n gateway
 * processes would, disposed after each test.
 */
export function sharedStoresPerTest(): (backend: Backend, count: number) => Promise<Store[]> {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });
  return async (backend, count) => {
    const opened = await backend.openShared(count);
    dispose = opened.dispose;
    return opened.stores;
  };
}

/** A fresh PostgreSQL schema reached through a cuttable loopback proxy; both are undone by `cleanups`. */
export async function postgresBehindProxy(cleanups: Array<() => Promise<unknown>>): Promise<{ url: string; proxy: TcpProxy }> {
  const schema = await createPostgresSchema();
  cleanups.push(() => schema.dispose());
  const target = new URL(schema.url);
  const proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
  cleanups.push(() => proxy.close());
  target.port = String(proxy.port);
  return { url: target.toString(), proxy };
}
