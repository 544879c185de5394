/** Users, delegations, API credentials, request ids and DKIM keys over any Kysely backend. */
import type { Kysely } from 'kysely';
import { apiAppRow, apiKeyRow, dkimRow, emailKey, toApiApp, toApiKey, toDkimKey, toUser, userRow } from '../identity-rows.js';
import type { Database } from '../schema.js';
import type { Store } from '../../core/storage/store.js';

export type IdentityQueries = Pick<
  Store,
  | 'createUser'
  | 'getUserByEmail'
  | 'getUserById'
  | 'listUsers'
  | 'addDelegation'
  | 'listDelegations'
  | 'createApiApp'
  | 'getApiApp'
  | 'createApiKey'
  | 'getApiKey'
  | 'rememberRequestId'
  | 'putDkimKey'
  | 'getDkimKey'
>;

export function identityQueries(db: Kysely<Database>): IdentityQueries {
  return {
    async createUser(user) {
      await db.insertInto('users').values(userRow(user)).execute();
    },
    async getUserByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email_key', '=', emailKey(email)).executeTakeFirst();
      return row && toUser(row);
    },
    async getUserById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async listUsers() {
      return (await db.selectFrom('users').selectAll().orderBy('email_key').execute()).map(toUser);
    },
    async addDelegation(userId, address) {
      await db
        .insertInto('delegations')
        .values({ user_id: userId, address: address.toLowerCase() })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async listDelegations(userId) {
      const found = await db.selectFrom('delegations').select('address').where('user_id', '=', userId).execute();
      return found.map((r) => r.address);
    },
    async createApiApp(app) {
      await db.insertInto('api_apps').values(apiAppRow(app)).execute();
    },
    async getApiApp(appId) {
      const row = await db.selectFrom('api_apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toApiApp(row);
    },
    async createApiKey(key) {
      await db.insertInto('api_keys').values(apiKeyRow(key)).execute();
    },
    async getApiKey(accessKey) {
      const row = await db.selectFrom('api_keys').selectAll().where('access_key', '=', accessKey).executeTakeFirst();
      return row && toApiKey(row);
    },
    async rememberRequestId(id, now, keepMs) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('request_ids').where('seen_at', '<', now - keepMs).execute();
        const inserted = await trx
          .insertInto('request_ids')
          .values({ id, seen_at: now })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
      });
    },
    async putDkimKey(key) {
      await db.insertInto('dkim_keys').values(dkimRow(key)).execute();
    },
    async getDkimKey(domain) {
      const row = await db
        .selectFrom('dkim_keys')
        .selectAll()
        .where('domain', '=', domain.toLowerCase())
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toDkimKey(row);
    },
  };
}
