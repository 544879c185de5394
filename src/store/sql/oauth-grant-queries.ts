/** Redirect URIs, authorization codes, service accounts and reusable refresh tokens over any Kysely backend. */
import type { Kysely } from 'kysely';
import type { OAuthGrantStore } from '../../core/storage/oauth-grant-store.js';
import { authorizationCodeRow, serviceAccountRow, toAuthorizationCode, toRefreshToken, toServiceAccount } from '../oauth-rows.js';
import type { Database } from '../schema.js';

export function oauthGrantQueries(db: Kysely<Database>): OAuthGrantStore {
  return {
    async addRedirectUri(clientId, uri, now) {
      await db
        .insertInto('oauth_redirect_uris')
        .values({ client_id: clientId, uri, created_at: now })
        .onConflict((oc) => oc.columns(['client_id', 'uri']).doNothing())
        .execute();
    },
    async listRedirectUris(clientId) {
      const found = await db.selectFrom('oauth_redirect_uris').select('uri').where('client_id', '=', clientId).orderBy('uri').execute();
      return found.map((r) => r.uri);
    },
    async createAuthorizationCode(code) {
      await db.insertInto('authorization_codes').values(authorizationCodeRow(code)).onConflict((oc) => oc.column('code_hash').doNothing()).execute();
    },
    async takeAuthorizationCode(codeHash, now) {
      return db.transaction().execute(async (trx) => {
        // Expired codes are swept on the way: they can never be redeemed again.
        await trx.deleteFrom('authorization_codes').where('expires_at', '<=', now).execute();
        const row = await trx.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
        if (!row) return undefined;
        // The delete decides a race between two redeemers of one code: only one removes the row.
        const deleted = await trx.deleteFrom('authorization_codes').where('code_hash', '=', codeHash).executeTakeFirst();
        return Number(deleted.numDeletedRows) === 1 ? toAuthorizationCode(row) : undefined;
      });
    },
    async putServiceAccount(account) {
      const row = serviceAccountRow(account);
      await db
        .insertInto('oauth_service_accounts')
        .values(row)
        .onConflict((oc) => oc.column('client_id').doUpdateSet({ account_id: row.account_id, public_jwk: row.public_jwk, created_at: row.created_at }))
        .execute();
    },
    async getServiceAccount(clientId) {
      const row = await db.selectFrom('oauth_service_accounts').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row && toServiceAccount(row);
    },
    async findRefreshToken(tokenHash, now) {
      const row = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && toRefreshToken(row);
    },
  };
}
