/** Chooses the storage backend from config. */
import type { Config } from '../config/config.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<Store> {
  return openSqliteStore(config.dataDir);
}
