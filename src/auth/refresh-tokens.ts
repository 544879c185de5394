/** Refresh tokens: random, shown to the client once, stored by hash; redeemed once (rotated) or, per dialect, reused until expiry. */
import { createHash, randomBytes } from 'node:crypto';
import { MailgateError } from '../core/errors.js';
import type { OAuthGrantStore } from '../core/storage/oauth-grant-store.js';
import type { OAuthStore, RefreshTokenRecord } from '../core/storage/oauth-store.js';

function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Stores a new refresh token for a user, client and audience; returns the token to hand out. */
export async function issueRefreshToken(
  store: Pick<OAuthStore, 'createRefreshToken'>,
  grant: Omit<RefreshTokenRecord, 'tokenHash' | 'createdAt' | 'expiresAt'> & { lifetimeSeconds: number },
  now: number,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await store.createRefreshToken({
    tokenHash: hashRefreshToken(token),
    clientId: grant.clientId,
    userId: grant.userId,
    audience: grant.audience,
    scopes: grant.scopes,
    createdAt: now,
    expiresAt: now + grant.lifetimeSeconds * 1000,
  });
  return token;
}

/** Consumes a refresh token issued to `clientId` for `audience`; `auth_invalid_grant` when it is not one. */
export async function redeemRefreshToken(
  store: Pick<OAuthStore, 'takeRefreshToken'>,
  token: string,
  expected: { clientId: string; audience: string },
  now: number,
): Promise<RefreshTokenRecord> {
  const grant = await store.takeRefreshToken(hashRefreshToken(token), now);
  if (!grant || grant.clientId !== expected.clientId || grant.audience !== expected.audience) {
    throw new MailgateError('auth_invalid_grant', 'The refresh token is invalid, expired or already used', 'refresh_token');
  }
  return grant;
}

/**
 * Checks a refresh token issued to `clientId` for `audience` without consuming it, for dialects
 * whose refresh tokens stay valid until they expire (LINE WORKS: 90 days, reused by clients).
 */
export async function useRefreshToken(
  store: Pick<OAuthGrantStore, 'findRefreshToken'>,
  token: string,
  expected: { clientId: string; audience: string },
  now: number,
): Promise<RefreshTokenRecord> {
  const grant = await store.findRefreshToken(hashRefreshToken(token), now);
  if (!grant || grant.clientId !== expected.clientId || grant.audience !== expected.audience) {
    throw new MailgateError('auth_invalid_grant', 'The refresh token is invalid or expired', 'refresh_token');
  }
  return grant;
}
