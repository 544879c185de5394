/** Chooses the storage backend from config: PostgreSQL when a database URL is set, else SQLite. */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { PostgresOptions } from './postgres/store.js';
import { migrateSqliteFile, openSqliteStore } from './sqlite/store.js';
import type { Store } from '../core/storage/store.js';

export type StoreConfig = Pick<
  Config,
  'dataDir' | 'databaseUrl' | 'databasePoolSize' | 'databaseConnectTimeout' | 'databaseRetrySeconds'
>;

function postgresOptions(config: StoreConfig, url: string, log?: Logger): PostgresOptions {
  return {
    url,
    poolSize: config.databasePoolSize,
    connectTimeoutMs: config.databaseConnectTimeout * 1000,
    retryMs: config.databaseRetrySeconds * 1000,
    log,
  };
}

// Loaded only when configured: SQLite installs (and every CLI start) skip loading pg.
const postgres = () => import('./postgres/store.js');

export async function openStore(config: StoreConfig, log?: Logger): Promise<Store> {
  if (config.databaseUrl) return (await postgres()).openPostgresStore(postgresOptions(config, config.databaseUrl, log));
  return openSqliteStore(config.dataDir);
}

/** Applies pending migrations without starting anything; returns the names applied. */
export async function migrateStore(config: StoreConfig): Promise<string[]> {
  if (config.databaseUrl) return (await postgres()).migratePostgresDatabase(postgresOptions(config, config.databaseUrl));
  return migrateSqliteFile(config.dataDir);
}
