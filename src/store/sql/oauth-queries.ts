/** OAuth client apps, user passwords, token signing keys and refresh tokens over any Kysely backend. */
import type { Kysely } from 'kysely';
import type { OAuthStore } from '../../core/storage/oauth-store.js';
import { oauthClientRow, refreshTokenRow, signingKeyRow, toOAuthClient, toRefreshToken, toSigningKey } from '../oauth-rows.js';
import type { Database } from '../schema.js';

export function oauthQueries(db: Kysely<Database>): OAuthStore {
  return {
    async createOAuthClient(client) {
      await db.insertInto('oauth_clients').values(oauthClientRow(client)).onConflict((oc) => oc.column('client_id').doNothing()).execute();
    },
    async getOAuthClient(clientId) {
      const row = await db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row && toOAuthClient(row);
    },
    async listOAuthClients() {
      return (await db.selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('client_id').execute()).map(toOAuthClient);
    },
    async revokeOAuthClient(clientId, now) {
      return db.transaction().execute(async (trx) => {
        const updated = await trx.updateTable('oauth_clients').set({ revoked_at: now }).where('client_id', '=', clientId).where('revoked_at', 'is', null).executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await trx.deleteFrom('refresh_tokens').where('client_id', '=', clientId).execute();
        await trx.deleteFrom('authorization_codes').where('client_id', '=', clientId).execute();
        return true;
      });
    },
    async setUserPassword(userId, passwordHash, now) {
      await db
        .insertInto('user_passwords')
        .values({ user_id: userId, password_hash: passwordHash, updated_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: passwordHash, updated_at: now }))
        .execute();
    },
    async getUserPassword(userId) {
      const row = await db.selectFrom('user_passwords').select('password_hash').where('user_id', '=', userId).executeTakeFirst();
      return row?.password_hash;
    },
    async putSigningKey(key) {
      await db.insertInto('signing_keys').values(signingKeyRow(key)).onConflict((oc) => oc.doNothing()).execute();
    },
    async getSigningKey(kid) {
      const row = await db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
      return row && toSigningKey(row);
    },
    async newestSigningKey() {
      const row = await db
        .selectFrom('signing_keys')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('kid')
        .limit(1)
        .executeTakeFirst();
      return row && toSigningKey(row);
    },
    async createRefreshToken(token) {
      await db.insertInto('refresh_tokens').values(refreshTokenRow(token)).onConflict((oc) => oc.column('token_hash').doNothing()).execute();
    },
    async takeRefreshToken(tokenHash, now) {
      return db.transaction().execute(async (trx) => {
        // Expired tokens are swept on the way: they can never be redeemed again.
        await trx.deleteFrom('refresh_tokens').where('expires_at', '<=', now).execute();
        const row = await trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
        if (!row) return undefined;
        // The delete decides the race between two redeemers of one token: only one removes the row.
        const deleted = await trx.deleteFrom('refresh_tokens').where('token_hash', '=', tokenHash).executeTakeFirst();
        return Number(deleted.numDeletedRows) === 1 ? toRefreshToken(row) : undefined;
      });
    },
  };
}
