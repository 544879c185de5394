/** Users, delegations, API credentials, request ids and DKIM keys over any Kysely backend. */
import type { Kysely } from 'kysely';
import { apiAppRow, apiKeyRow, dkimRow, emailKey, toApiApp, toApiKey, toDkimKey, toUser, userRow } from '../identity-rows.js';
import type { Database } from '../schema.js';
import { compiledOnce } from './compiled-once.js';
import type { Store } from '../../core/storage/store.js';

export type IdentityQueries = Pick<
  Store,
  | 'createUser'
  | 'lookupVersion'
  | 'getUserByEmail'
  | 'getUserById'
  | 'listUsers'
  | 'removeUser'
  | 'addDelegation'
  | 'listDelegations'
  | 'createApiApp'
  | 'getApiApp'
  | 'createApiKey'
  | 'getApiKey'
  | 'listApiKeys'
  | 'revokeApiKey'
  | 'rememberRequestId'
  | 'putDkimKey'
  | 'getDkimKey'
  | 'listDkimKeys'
  | 'removeDkimKey'
>;

export function identityQueries(db: Kysely<Database>): IdentityQueries {
  // Read at least once per turn of the event loop by every serving process (lookup-cache.ts).
  const version = compiledOnce(
    (on) => on.selectFrom('lookup_version').select('version').where('id', '=', 1),
    () => [1],
  );
  return {
    async lookupVersion() {
      const { rows } = await version<{ version: number | string }>(db, undefined);
      return Number(rows[0]?.version ?? 0);
    },
    async createUser(user) {
      // Fresh ids (docs/retries.md): a row with this id is this write, landed by an earlier try; the
      // same email under another id is still refused by its own unique index.
      await db.insertInto('users').values(userRow(user)).onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    async getUserByEmail(email) {
      const row = await activeUsers().where('email_key', '=', emailKey(email)).executeTakeFirst();
      return row && toUser(row);
    },
    async getUserById(id) {
      const row = await activeUsers().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async listUsers() {
      return (await activeUsers().orderBy('email_key').execute()).map(toUser);
    },
    async removeUser(id, now) {
      return db.transaction().execute(async (trx) => {
        const user = await trx.selectFrom('users').select('email').where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
        if (!user) return false;
        // Both address columns are unique: rewriting them lets the address be given to a new user (migration 0017).
        const removed = `removed:${id}`;
        await trx.updateTable('users').set({ removed_at: now, email: `${removed}:${user.email}`, email_key: removed }).where('id', '=', id).execute();
        await trx.updateTable('api_keys').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
        await trx.updateTable('oauth_clients').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
        await trx.deleteFrom('refresh_tokens').where('user_id', '=', id).execute();
        await trx.deleteFrom('user_passwords').where('user_id', '=', id).execute();
        return true;
      });
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
      await db.insertInto('api_apps').values(apiAppRow(app)).onConflict((oc) => oc.column('app_id').doNothing()).execute();
    },
    async getApiApp(appId) {
      const row = await db.selectFrom('api_apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toApiApp(row);
    },
    async createApiKey(key) {
      await db.insertInto('api_keys').values(apiKeyRow(key)).onConflict((oc) => oc.column('access_key').doNothing()).execute();
    },
    async getApiKey(accessKey) {
      const row = await db.selectFrom('api_keys').selectAll().where('access_key', '=', accessKey).executeTakeFirst();
      return row && toApiKey(row);
    },
    async listApiKeys() {
      return (await db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('access_key').execute()).map(toApiKey);
    },
    async revokeApiKey(accessKey, now) {
      const updated = await db.updateTable('api_keys').set({ revoked_at: now }).where('access_key', '=', accessKey).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
    async rememberRequestId(id, now, keepMs, writer) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('request_ids').where('seen_at', '<', now - keepMs).execute();
        const inserted = await trx
          .insertInto('request_ids')
          .values({ id, seen_at: now, writer: writer ?? null })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
        if (writer === undefined) return false;
        // Seen before, but by this very write (its commit landed and the reply was lost): still fresh.
        const seen = await trx.selectFrom('request_ids').select('writer').where('id', '=', id).executeTakeFirst();
        return seen?.writer === writer;
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
    async listDkimKeys() {
      return (await db.selectFrom('dkim_keys').selectAll().orderBy('domain').orderBy('created_at', 'desc').orderBy('selector').execute()).map(toDkimKey);
    },
    async removeDkimKey(domain, selector) {
      const deleted = await db.deleteFrom('dkim_keys').where('domain', '=', domain.toLowerCase()).where('selector', '=', selector).executeTakeFirst();
      return Number(deleted.numDeletedRows) === 1;
    },
  };

  function activeUsers() {
    return db.selectFrom('users').selectAll().where('removed_at', 'is', null);
  }
}
