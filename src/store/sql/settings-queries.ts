/** Installation settings, and a sample of what the master key has sealed. */
import type { Kysely } from 'kysely';
import type { SettingsStore } from '../../core/storage/settings-store.js';
import type { Database } from '../schema.js';

export function settingsQueries(db: Kysely<Database>): SettingsStore {
  const get = async (name: string) => (await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
  return {
    getSetting: get,
    async putSettingIfAbsent(name, value) {
      await db.insertInto('settings').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
      return (await get(name)) as string;
    },
    async anySealedSecret() {
      const key = await db.selectFrom('api_keys').select('secret_key_enc as sealed').limit(1).executeTakeFirst();
      if (key) return key.sealed;
      const dkim = await db.selectFrom('dkim_keys').select('private_key_enc as sealed').limit(1).executeTakeFirst();
      if (dkim) return dkim.sealed;
      return (await db.selectFrom('signing_keys').select('private_key_enc as sealed').limit(1).executeTakeFirst())?.sealed;
    },
  };
}
