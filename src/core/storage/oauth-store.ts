/** The storage side of the OAuth machinery in src/auth: client apps, passwords, signing keys, refresh tokens. */

/** A registered client application; `secretHash` is never the secret itself. */
export interface OAuthClientRecord {
  clientId: string;
  name: string;
  secretHash: string;
  /** Application permissions granted to the app itself (Graph `roles`, e.g. `Mail.Send`). */
  permissions: string[];
  createdAt: number;
  /** Set for Mimecast API 2.0 applications: the user whose roles the app acts with. */
  userId?: string;
  /** Set once the app is revoked: no new tokens, and its unexpired ones are refused. */
  revokedAt?: number;
}

/** A JWT signing key pair: the private key sealed by the secret box, the public key as a JWK. */
export interface SigningKeyRecord {
  kid: string;
  algorithm: string;
  privateKeyEnc: string;
  publicJwk: Record<string, unknown>;
  createdAt: number;
}

/** A refresh token, known to the store only by its hash. */
export interface RefreshTokenRecord {
  tokenHash: string;
  clientId: string;
  userId: string;
  /** The audience (API) the token's access tokens are for; one dialect's token never serves another. */
  audience: string;
  scopes: string[];
  expiresAt: number;
  createdAt: number;
}

export interface OAuthStore {
  createOAuthClient(client: OAuthClientRecord): Promise<void>;
  /** The client, revoked or not (callers refuse revoked ones). */
  getOAuthClient(clientId: string): Promise<OAuthClientRecord | undefined>;
  /** Every client, revoked ones included, oldest first. */
  listOAuthClients(): Promise<OAuthClientRecord[]>;
  /** Marks the client revoked and drops its refresh tokens and authorization codes; false when it was unknown or already revoked. */
  revokeOAuthClient(clientId: string, now: number): Promise<boolean>;

  /** Sets (or replaces) a user's password hash. */
  setUserPassword(userId: string, passwordHash: string, now: number): Promise<void>;
  getUserPassword(userId: string): Promise<string | undefined>;

  /** Stores a signing key; a key with an existing kid is left as it is. */
  putSigningKey(key: SigningKeyRecord): Promise<void>;
  getSigningKey(kid: string): Promise<SigningKeyRecord | undefined>;
  /** The newest signing key, which signs new tokens. */
  newestSigningKey(): Promise<SigningKeyRecord | undefined>;

  createRefreshToken(token: RefreshTokenRecord): Promise<void>;
  /** Removes and returns an unexpired refresh token: each one is redeemed at most once. */
  takeRefreshToken(tokenHash: string, now: number): Promise<RefreshTokenRecord | undefined>;
}
