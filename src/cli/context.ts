/** What every administrative subcommand needs: the store and the secret box of the data dir. */
import type { Config } from '../config/config.js';
import { assertMasterKey } from '../auth/master-key-check.js';
import { createSecretBox, loadMasterKey, type SecretBox } from '../auth/secret-box.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../core/storage/store.js';
import { systemClock } from '../core/ports.js';
import { createInboundSettings, type InboundSettings } from '../services/inbound-settings.js';

export interface CliContext {
  config: Config;
  store: Store;
  secrets: SecretBox;
  /** Policies, sender lists and DNSBL zones, audited as the admin API's changes are. */
  settings: InboundSettings;
}

export async function withContext<T>(config: Config, run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    const secrets = createSecretBox(loadMasterKey(config.dataDir));
    await assertMasterKey(store, secrets);
    return await run({ config, store, secrets, settings: createInboundSettings(store, systemClock) });
  } finally {
    await store.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
