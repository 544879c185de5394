/** Conversions between OAuth records (clients, signing keys, refresh tokens, codes, service accounts) and table rows. */
import type { AuthorizationCodeRecord, ServiceAccountRecord } from '../core/storage/oauth-grant-store.js';
import type { OAuthClientRecord, RefreshTokenRecord, SigningKeyRecord } from '../core/storage/oauth-store.js';
import type { Row, Selected } from './row-types.js';

export const oauthClientRow = (c: OAuthClientRecord): Row<'oauth_clients'> => ({
  client_id: c.clientId,
  name: c.name,
  secret_hash: c.secretHash,
  permissions: JSON.stringify(c.permissions),
  created_at: c.createdAt,
  user_id: c.userId ?? null,
  revoked_at: c.revokedAt ?? null,
});
export const toOAuthClient = (r: Selected<'oauth_clients'>): OAuthClientRecord => ({
  clientId: r.client_id,
  name: r.name,
  secretHash: r.secret_hash,
  permissions: JSON.parse(r.permissions) as string[],
  createdAt: Number(r.created_at),
  ...(r.user_id === null ? {} : { userId: r.user_id }),
  ...(r.revoked_at === null ? {} : { revokedAt: Number(r.revoked_at) }),
});

export const signingKeyRow = (k: SigningKeyRecord): Row<'signing_keys'> => ({
  kid: k.kid,
  algorithm: k.algorithm,
  private_key_enc: k.privateKeyEnc,
  public_jwk: JSON.stringify(k.publicJwk),
  created_at: k.createdAt,
});
export const toSigningKey = (r: Selected<'signing_keys'>): SigningKeyRecord => ({
  kid: r.kid,
  algorithm: r.algorithm,
  privateKeyEnc: r.private_key_enc,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  createdAt: Number(r.created_at),
});

export const refreshTokenRow = (t: RefreshTokenRecord): Row<'refresh_tokens'> => ({
  token_hash: t.tokenHash,
  client_id: t.clientId,
  user_id: t.userId,
  audience: t.audience,
  scopes: JSON.stringify(t.scopes),
  expires_at: t.expiresAt,
  created_at: t.createdAt,
});
export const toRefreshToken = (r: Selected<'refresh_tokens'>): RefreshTokenRecord => ({
  tokenHash: r.token_hash,
  clientId: r.client_id,
  userId: r.user_id,
  audience: r.audience,
  scopes: JSON.parse(r.scopes) as string[],
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
});

export const authorizationCodeRow = (c: AuthorizationCodeRecord): Row<'authorization_codes'> => ({
  code_hash: c.codeHash,
  client_id: c.clientId,
  user_id: c.userId,
  redirect_uri: c.redirectUri,
  audience: c.audience,
  scopes: JSON.stringify(c.scopes),
  expires_at: c.expiresAt,
  created_at: c.createdAt,
});
export const toAuthorizationCode = (r: Selected<'authorization_codes'>): AuthorizationCodeRecord => ({
  codeHash: r.code_hash,
  clientId: r.client_id,
  userId: r.user_id,
  redirectUri: r.redirect_uri,
  audience: r.audience,
  scopes: JSON.parse(r.scopes) as string[],
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
});

export const serviceAccountRow = (a: ServiceAccountRecord): Row<'oauth_service_accounts'> => ({
  client_id: a.clientId,
  account_id: a.accountId,
  public_jwk: JSON.stringify(a.publicJwk),
  created_at: a.createdAt,
});
export const toServiceAccount = (r: Selected<'oauth_service_accounts'>): ServiceAccountRecord => ({
  clientId: r.client_id,
  accountId: r.account_id,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  createdAt: Number(r.created_at),
});
