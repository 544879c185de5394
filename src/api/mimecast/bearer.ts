/**
 * Mimecast API 2.0's credential check (docs/vendor-apis.md "Mimecast API 2.0"): `Authorization:
 * Bearer <token>` from `POST /oauth/token` (token.ts), on the same `/api/...` functions that 1.0's
 * HMAC headers reach. The token names the API application and the user it is bound to.
 */
import type { TokenService } from '../../auth/tokens.js';
import { MailgateError } from '../../core/errors.js';
import type { Store, UserRecord } from '../../core/storage/store.js';

/** Mimecast 2.0 tokens are for this audience only: Graph and LINE WORKS tokens are refused here, and these there. */
export const MIMECAST_AUDIENCE = 'https://api.services.mimecast.com';

/** The issuer mailgate writes into Mimecast 2.0 tokens. */
export function mimecastIssuer(hostname: string): string {
  return `https://${hostname}/oauth`;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Whether the request presents a bearer token (2.0) rather than 1.0's `MC` signature. */
export function isBearer(authorization: string | undefined): boolean {
  return /^Bearer(\s|$)/i.test(authorization?.trim() ?? '');
}

/** The verified 2.0 caller: the API application and its user. */
export interface MimecastBearerPrincipal {
  user: UserRecord;
  clientId: string;
}

/** Verifies the bearer token; `auth_token_expired`, `auth_invalid_token` or `auth_malformed` otherwise. */
export async function authenticateMimecastBearer(
  authorization: string,
  deps: { tokens: TokenService; store: Pick<Store, 'getUserById'>; issuer: string },
): Promise<MimecastBearerPrincipal> {
  const match = BEARER.exec(authorization);
  if (!match) throw new MailgateError('auth_malformed', 'The Authorization header must be "Bearer {token}"');
  const claims = await deps.tokens.verify(match[1] as string, { audience: MIMECAST_AUDIENCE, issuer: deps.issuer });
  const user = claims.userId === undefined ? undefined : await deps.store.getUserById(claims.userId);
  // A token outliving its user (or naming none) is as good as forged.
  if (!user) throw new MailgateError('auth_invalid_token', 'The access token does not name a user of this gateway');
  return { user, clientId: claims.clientId };
}
