/** What every administrative subcommand needs: the store and the secret box of the data dir. */
import { pino } from 'pino';
import type { Config } from '../config/config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { assertMasterKey } from '../auth/master-key-check.js';
import { createSecretBox, loadMasterKey, type SecretBox } from '../auth/secret-box.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../core/storage/store.js';
import { systemClock } from '../core/ports.js';
import { createInboundSettings, type InboundSettings } from '../services/inbound-settings.js';
import { createIdentityService, type IdentityService } from '../services/identities.js';
import { createDnsResolver } from '../scan/dns-resolver.js';

export interface CliContext {
  config: Config;
  store: Store;
  secrets: SecretBox;
  /** Policies, sender lists and DNSBL zones, audited as the admin API's changes are. */
  settings: InboundSettings;
  /** Listing and revoking users, keys, apps and DKIM keys, audited as the admin API's are. */
  identities: IdentityService;
}

export async function withContext<T>(config: Config, run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    const secrets = createSecretBox(loadMasterKey(config.dataDir));
    await assertMasterKey(store, secrets);
    return await run({
      config,
      store,
      secrets,
      settings: createInboundSettings(store, systemClock),
      identities: createIdentityService({ store, secrets, clock: systemClock, resolve: createDnsResolver(config.dnsServers) }),
    });
  } finally {
    await store.close();
  }
}

/**
 * The whole gateway without its listeners or delivery worker, for commands that act as the running
 * gateway would (queue control sends failure notices through ingest); logs go to stderr.
 */
export async function withGateway<T>(config: Config, run: (gateway: Gateway) => Promise<T>): Promise<T> {
  const gateway = await createGateway(config, { log: pino({ level: config.logLevel }, pino.destination(2)) });
  try {
    return await run(gateway);
  } finally {
    await gateway.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One compact JSON object per line, for `list` commands (grep- and jq-friendly). */
export function printJsonLines(values: readonly unknown[]): void {
  for (const value of values) process.stdout.write(JSON.stringify(value) + '\n');
}
