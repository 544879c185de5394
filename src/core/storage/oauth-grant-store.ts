/** The storage side of the OAuth grants beyond tokens (src/auth): redirect URIs, authorization codes, service accounts. */
import type { RefreshTokenRecord } from './oauth-store.js';

/** An authorization code, known to the store only by its hash. */
export interface AuthorizationCodeRecord {
  codeHash: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** The API the resulting tokens are for. */
  audience: string;
  scopes: string[];
  expiresAt: number;
  createdAt: number;
}

/** An app's service account: the public key that verifies its JWT assertions (RFC 7523). */
export interface ServiceAccountRecord {
  clientId: string;
  accountId: string;
  publicJwk: Record<string, unknown>;
  createdAt: number;
}

export interface OAuthGrantStore {
  addRedirectUri(clientId: string, uri: string, now: number): Promise<void>;
  listRedirectUris(clientId: string): Promise<string[]>;

  createAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>;
  /** Removes and returns an unexpired code: each one is redeemed at most once. */
  takeAuthorizationCode(codeHash: string, now: number): Promise<AuthorizationCodeRecord | undefined>;

  /** Stores (or replaces) an app's service account. */
  putServiceAccount(account: ServiceAccountRecord): Promise<void>;
  getServiceAccount(clientId: string): Promise<ServiceAccountRecord | undefined>;

  /** An unexpired refresh token, left in place: for dialects whose refresh tokens are reusable until they expire. */
  findRefreshToken(tokenHash: string, now: number): Promise<RefreshTokenRecord | undefined>;
}
