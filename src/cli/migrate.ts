/** `mailgate migrate`: applies pending schema migrations and exits (safe while other processes run or start). */
import type { Config } from '../config/config.js';
import { migrateStore } from '../store/open-store.js';
import { UsageError } from './args.js';
import { printJson } from './context.js';

export async function migrateCommand(config: Config, argv: string[]): Promise<void> {
  if (argv.length > 0) throw new UsageError(`migrate takes no arguments, got "${argv.join(' ')}"`);
  const applied = await migrateStore(config);
  printJson({ backend: config.databaseUrl ? 'postgres' : 'sqlite', applied });
}
