/**
 * The database remembers which master key sealed its secrets: a constant sealed with the key at
 * first start. A process with another key (a second host without the shared MAILGATE_MASTER_KEY, a
 * restored data dir with a new master.key) refuses to start, instead of failing each request that
 * needs a secret (docs/files-at-rest.md).
 */
import { MASTER_KEY_VERIFIER, type SettingsStore } from '../core/storage/settings-store.js';
import { ConfigError } from '../config/config.js';
import type { SecretBox } from './secret-box.js';

const CONSTANT = 'mailgate master key verifier v1';

function opens(secrets: SecretBox, sealed: string, expected?: string): boolean {
  try {
    const plain = secrets.open(sealed);
    return expected === undefined || plain === expected;
  } catch {
    return false;
  }
}

/** Throws a ConfigError naming MAILGATE_MASTER_KEY unless `secrets` holds the key this database's secrets are sealed with. */
export async function assertMasterKey(store: SettingsStore, secrets: SecretBox): Promise<void> {
  const refuse = () =>
    new ConfigError(
      'MAILGATE_MASTER_KEY',
      "this key is not the one the database's secrets were sealed with; give every process the same MAILGATE_MASTER_KEY (or the data dir's original master.key)",
    );
  const stored = await store.getSetting(MASTER_KEY_VERIFIER);
  if (stored !== undefined) {
    if (!opens(secrets, stored, CONSTANT)) throw refuse();
    return;
  }
  // A database from before the verifier existed: a secret it already holds must open with this key.
  const sample = await store.anySealedSecret();
  if (sample !== undefined && !opens(secrets, sample)) throw refuse();
  const inForce = await store.putSettingIfAbsent(MASTER_KEY_VERIFIER, secrets.seal(CONSTANT));
  // Two first starts at once with different keys: the one whose verifier was stored wins.
  if (!opens(secrets, inForce, CONSTANT)) throw refuse();
}

/** Re-seals every secret with `next` in one transaction and makes `next` the key the database expects. */
export function resealSecrets(store: SettingsStore, current: SecretBox, next: SecretBox): Promise<number> {
  return store.resealSecrets((sealed) => next.seal(current.open(sealed)), next.seal(CONSTANT));
}
