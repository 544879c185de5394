/**
 * The LINE WORKS credential check: `Authorization: Bearer <jwt>` issued by mailgate's Works token
 * endpoint (token.ts) or `mailgate token create`, through the token machinery shared with Graph
 * (src/auth). Mail needs a user-account token: service-account tokens are refused, as the vendor does.
 */
import { issueRefreshToken } from '../../auth/refresh-tokens.js';
import type { AccessTokenClaims, TokenService } from '../../auth/tokens.js';
import { MailgateError } from '../../core/errors.js';
import type { OAuthStore } from '../../core/storage/oauth-store.js';
import type { Store, UserRecord } from '../../core/storage/store.js';

/** Works access tokens are for this audience only; Graph tokens are refused here and vice versa. */
export const WORKS_AUDIENCE = 'https://www.worksapis.com';

/** The Works scopes mailgate grants: `mail` (read and send) and `mail.read`. */
export const WORKS_SCOPES = ['mail', 'mail.read'] as const;
export type WorksScope = (typeof WORKS_SCOPES)[number];

/** docs/vendor-apis.md#line-works-api-20: access tokens last 24 hours, refresh tokens 90 days. */
export const ACCESS_LIFETIME_SECONDS = 86_400;
export const REFRESH_LIFETIME_SECONDS = 90 * 86_400;

/** The public client of `mailgate token create`: it has no secret, its refresh tokens are its credential. */
export const CLI_CLIENT_ID = 'mailgate-cli';

/** The issuer mailgate writes into Works tokens. */
export function worksIssuer(hostname: string): string {
  return `https://${hostname}/works`;
}

/** The verified caller: always a user (service-account tokens never get this far). */
export interface WorksCaller {
  claims: AccessTokenClaims;
  user: UserRecord;
}

/** Verifies the bearer token; 401 for a bad or expired token, 403 for a service-account token. */
export async function authenticateWorks(
  authorization: string | undefined,
  deps: { tokens: TokenService; store: Pick<Store, 'getUserById'>; issuer: string },
): Promise<WorksCaller> {
  if (!authorization || authorization.trim() === '') throw new MailgateError('auth_missing', 'Authentication failed: the Authorization header is missing');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new MailgateError('auth_malformed', 'Authentication failed: the Authorization header must be "Bearer {token}"');
  const claims = await deps.tokens.verify(match[1] as string, { audience: WORKS_AUDIENCE, issuer: deps.issuer });
  if (claims.userId === undefined) {
    throw new MailgateError('forbidden', 'The Mail API needs a user-account token; service-account tokens are not allowed');
  }
  const user = await deps.store.getUserById(claims.userId);
  // A token outliving its user is as good as forged.
  if (!user) throw new MailgateError('auth_invalid_token', 'Authentication failed: the token’s user no longer exists');
  return { claims, user };
}

/** Throws `forbidden` unless the token carries `scope` (`mail` includes `mail.read`). */
export function checkWorksScope(caller: WorksCaller, scope: WorksScope): void {
  const granted = caller.claims.scopes;
  if (granted.includes('mail') || (scope === 'mail.read' && granted.includes('mail.read'))) return;
  throw new MailgateError('forbidden', `The token lacks the ${scope} scope`);
}

/** `userId` is `me`, a user id, or a (URL-encoded) login email; only the token's own user is allowed. */
export async function resolveWorksUser(caller: WorksCaller, userParam: string, store: Pick<Store, 'getUserById' | 'getUserByEmail'>): Promise<UserRecord> {
  const id = decodeURIComponent(userParam);
  if (id.toLowerCase() === 'me') return caller.user;
  const user = id.includes('@') ? await store.getUserByEmail(id.trim().toLowerCase()) : await store.getUserById(id);
  if (!user) throw new MailgateError('not_found', `The member '${id}' does not exist`, 'userId');
  if (user.id !== caller.user.id) throw new MailgateError('forbidden', 'A user-account token may only act on its own mailbox', 'userId');
  return user;
}

/** Requested Works scopes (comma- or space-separated); others (e.g. `bot`) are not mailgate's to grant and are dropped. */
export function worksScopesOf(raw: string | undefined): WorksScope[] {
  const asked = (raw ?? '').split(/[\s,]+/).filter(Boolean);
  const granted = WORKS_SCOPES.filter((s) => asked.includes(s));
  if (granted.length === 0) throw new MailgateError('invalid_value', 'The scope must include mail or mail.read', 'scope');
  return granted;
}

/** The vendor's token response: `expires_in` is a string. */
export interface WorksTokenResponse {
  access_token: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: string;
  scope: string;
}

/** Issues a user-account access token and, unless refreshing, a refresh token; shared by the token endpoint and the CLI. */
export async function issueWorksUserTokens(
  deps: { tokens: TokenService; store: Pick<OAuthStore, 'createRefreshToken'>; hostname: string; now: number },
  grant: { user: UserRecord; clientId: string; scopes: readonly string[]; withRefreshToken: boolean },
): Promise<WorksTokenResponse> {
  const scopes = [...grant.scopes];
  const { token } = await deps.tokens.issue({
    issuer: worksIssuer(deps.hostname),
    audience: WORKS_AUDIENCE,
    tenant: deps.hostname,
    subject: grant.user.id,
    clientId: grant.clientId,
    userId: grant.user.id,
    scopes,
    roles: [],
    lifetimeSeconds: ACCESS_LIFETIME_SECONDS,
  });
  const response: WorksTokenResponse = { access_token: token, token_type: 'Bearer', expires_in: String(ACCESS_LIFETIME_SECONDS), scope: scopes.join(',') };
  if (grant.withRefreshToken) {
    response.refresh_token = await issueRefreshToken(
      deps.store,
      { clientId: grant.clientId, userId: grant.user.id, audience: WORKS_AUDIENCE, scopes, lifetimeSeconds: REFRESH_LIFETIME_SECONDS },
      deps.now,
    );
  }
  return response;
}
