/** What every administrative subcommand needs: the store and the secret box of the data dir. */
import type { Config } from '../config/config.js';
import { createSecretBox, loadMasterKey, type SecretBox } from '../auth/secret-box.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../core/storage/store.js';

export interface CliContext {
  config: Config;
  store: Store;
  secrets: SecretBox;
}

export async function withContext<T>(config: Config, run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    return await run({ config, store, secrets: createSecretBox(loadMasterKey(config.dataDir)) });
  } finally {
    await store.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
