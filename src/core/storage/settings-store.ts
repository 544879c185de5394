/** Facts about the installation, kept in its database so every process sees the same. */

/** The setting holding a constant sealed with the master key (src/auth/master-key-check.ts). */
export const MASTER_KEY_VERIFIER = 'master_key_verifier';

export interface SettingsStore {
  getSetting(name: string): Promise<string | undefined>;
  /** Stores `value` unless the setting exists; answers the value in force either way. */
  putSettingIfAbsent(name: string, value: string): Promise<string>;
  /** One secret sealed with the master key (an API key secret, a DKIM or token signing key), if any exists. */
  anySealedSecret(): Promise<string | undefined>;
  /**
   * In one transaction: replaces every sealed secret by `reseal(sealed)` and stores `verifier` as the
   * master key verifier (master key rotation). Answers how many secrets were re-sealed.
   */
  resealSecrets(reseal: (sealed: string) => string, verifier: string): Promise<number>;
}
