/**
 * The authorization-code grant (RFC 6749 4.1): codes are random, shown once in the redirect, stored
 * by hash, short-lived and redeemed at most once, only by the client they were issued to and only
 * for the redirect URI they were sent to, which the client must have registered.
 */
import { createHash, randomBytes } from 'node:crypto';
import { MailgateError } from '../core/errors.js';
import type { AuthorizationCodeRecord, OAuthGrantStore } from '../core/storage/oauth-grant-store.js';

/** RFC 6749 4.1.2 recommends at most 10 minutes. */
const CODE_LIFETIME_MS = 10 * 60_000;

function hashCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('base64url');
}

/** Registers a redirect URI for a client; only absolute http(s) URLs without a fragment (RFC 6749 3.1.2). */
export async function registerRedirectUri(store: Pick<OAuthGrantStore, 'addRedirectUri'>, clientId: string, uri: string, now: number): Promise<void> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new MailgateError('invalid_value', `The redirect URI "${uri}" is not an absolute URL`, 'redirect_uri');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash !== '') {
    throw new MailgateError('invalid_value', `The redirect URI "${uri}" must be an http(s) URL without a fragment`, 'redirect_uri');
  }
  await store.addRedirectUri(clientId, uri, now);
}

/** Throws `invalid_value` (field `redirect_uri`) unless the client registered exactly this URI. */
export async function assertRegisteredRedirect(store: Pick<OAuthGrantStore, 'listRedirectUris'>, clientId: string, uri: string): Promise<void> {
  if (!(await store.listRedirectUris(clientId)).includes(uri)) {
    throw new MailgateError('invalid_value', 'The redirect_uri is not registered for this client', 'redirect_uri');
  }
}

/** Stores a new code for a signed-in user; returns the code to put in the redirect. */
export async function issueAuthorizationCode(
  store: Pick<OAuthGrantStore, 'createAuthorizationCode'>,
  grant: Omit<AuthorizationCodeRecord, 'codeHash' | 'createdAt' | 'expiresAt'>,
  now: number,
): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await store.createAuthorizationCode({ ...grant, codeHash: hashCode(code), createdAt: now, expiresAt: now + CODE_LIFETIME_MS });
  return code;
}

/** Consumes a code; `auth_invalid_grant` unless it was issued to `clientId` (and for `redirectUri`, when the client names one). */
export async function redeemAuthorizationCode(
  store: Pick<OAuthGrantStore, 'takeAuthorizationCode'>,
  code: string,
  expected: { clientId: string; audience: string; redirectUri: string | undefined },
  now: number,
): Promise<AuthorizationCodeRecord> {
  const grant = await store.takeAuthorizationCode(hashCode(code), now);
  const mismatch =
    !grant ||
    grant.clientId !== expected.clientId ||
    grant.audience !== expected.audience ||
    (expected.redirectUri !== undefined && expected.redirectUri !== grant.redirectUri);
  if (mismatch) throw new MailgateError('auth_invalid_grant', 'The authorization code is invalid, expired or already used', 'code');
  return grant;
}
