/** Facts about the installation, kept in its database so every process sees the same. */
export interface SettingsStore {
  getSetting(name: string): Promise<string | undefined>;
  /** Stores `value` unless the setting exists; answers the value in force either way. */
  putSettingIfAbsent(name: string, value: string): Promise<string>;
  /** One secret sealed with the master key (an API key secret, a DKIM or token signing key), if any exists. */
  anySealedSecret(): Promise<string | undefined>;
}
