/** Installation settings, and a sample of what the master key has sealed. */
import type { Kysely } from 'kysely';
import { MASTER_KEY_VERIFIER, type SettingsStore } from '../../core/storage/settings-store.js';
import type { WriteBatcher } from '../group-commit.js';
import type { Database } from '../schema.js';

export function settingsQueries(db: Kysely<Database>, writes: WriteBatcher): SettingsStore {
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
      const signing = await db.selectFrom('signing_keys').select('private_key_enc as sealed').limit(1).executeTakeFirst();
      if (signing) return signing.sealed;
      return (await db.selectFrom('webhook_endpoints').select('secret_enc as sealed').limit(1).executeTakeFirst())?.sealed;
    },
    resealSecrets(reseal, verifier) {
      return writes.run(async (trx) => {
        let count = 0;
        for (const row of await trx.selectFrom('api_apps').select(['app_id', 'app_key_enc']).execute()) {
          await trx.updateTable('api_apps').set({ app_key_enc: reseal(row.app_key_enc) }).where('app_id', '=', row.app_id).execute();
          count += 1;
        }
        for (const row of await trx.selectFrom('api_keys').select(['access_key', 'secret_key_enc']).execute()) {
          await trx.updateTable('api_keys').set({ secret_key_enc: reseal(row.secret_key_enc) }).where('access_key', '=', row.access_key).execute();
          count += 1;
        }
        for (const row of await trx.selectFrom('dkim_keys').select(['domain', 'selector', 'private_key_enc']).execute()) {
          await trx
            .updateTable('dkim_keys')
            .set({ private_key_enc: reseal(row.private_key_enc) })
            .where('domain', '=', row.domain)
            .where('selector', '=', row.selector)
            .execute();
          count += 1;
        }
        for (const row of await trx.selectFrom('signing_keys').select(['kid', 'private_key_enc']).execute()) {
          await trx.updateTable('signing_keys').set({ private_key_enc: reseal(row.private_key_enc) }).where('kid', '=', row.kid).execute();
          count += 1;
        }
        for (const row of await trx.selectFrom('webhook_endpoints').select(['id', 'secret_enc']).execute()) {
          await trx.updateTable('webhook_endpoints').set({ secret_enc: reseal(row.secret_enc) }).where('id', '=', row.id).execute();
          count += 1;
        }
        await trx
          .insertInto('settings')
          .values({ name: MASTER_KEY_VERIFIER, value: verifier })
          .onConflict((oc) => oc.column('name').doUpdateSet({ value: verifier }))
          .execute();
        return count;
      });
    },
  };
}
