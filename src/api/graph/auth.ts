/**
 * The Graph credential check: `Authorization: Bearer <jwt>` issued by mailgate's own token endpoint
 * (token.ts), then the mailbox the request may act for.
 */
import { hasPermission, PERMISSION } from '../../auth/roles.js';
import type { AccessTokenClaims, TokenService } from '../../auth/tokens.js';
import { MailgateError } from '../../core/errors.js';
import type { Store, UserRecord } from '../../core/storage/store.js';
import type { Mailbox } from './translate.js';

/** Graph access tokens are for this audience only; another dialect's tokens are refused. */
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

/** The issuer mailgate writes into Graph tokens, shaped like Entra ID's v2.0 issuer. */
export function graphIssuer(hostname: string, tenantId: string): string {
  return `https://${hostname}/${tenantId}/v2.0`;
}

/** The Graph permissions mailgate's mail routes need (delegated `scp` or application `roles`). */
export type GraphPermission = 'Mail.Send' | 'Mail.ReadWrite' | 'Mail.Read';

/** The verified caller: a signed-in user (delegated) or an application (app-only). */
export interface GraphCaller {
  claims: AccessTokenClaims;
  /** Delegated tokens only. */
  user: UserRecord | undefined;
  /** Delegated scopes or application roles, whichever the token carries. */
  permissions: ReadonlySet<string>;
}

// Mail.ReadWrite includes reading; nothing else implies another permission.
const SATISFIED_BY: Record<GraphPermission, readonly string[]> = {
  'Mail.Send': ['Mail.Send'],
  'Mail.ReadWrite': ['Mail.ReadWrite'],
  'Mail.Read': ['Mail.Read', 'Mail.ReadWrite'],
};

/** Verifies the bearer token; throws the auth_* error that explains why not. */
export async function authenticateGraph(
  authorization: string | undefined,
  deps: { tokens: TokenService; store: Pick<Store, 'getUserById'>; issuer: string },
): Promise<GraphCaller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!authorization || authorization.trim() === '') throw new MailgateError('auth_missing', 'Access token is empty.');
  if (!match) throw new MailgateError('auth_malformed', 'The Authorization header must be "Bearer {token}".');
  const claims = await deps.tokens.verify(match[1] as string, { audience: GRAPH_AUDIENCE, issuer: deps.issuer });
  let user: UserRecord | undefined;
  if (claims.userId !== undefined) {
    user = await deps.store.getUserById(claims.userId);
    // A token outliving its user is as good as forged.
    if (!user) throw new MailgateError('auth_invalid_token', 'Access token validation failure: the user no longer exists.');
  }
  return { claims, user, permissions: new Set(user ? claims.scopes : claims.roles) };
}

/** Throws `forbidden` (ErrorAccessDenied) unless the caller holds `permission`. */
export function checkGraphPermission(caller: GraphCaller, permission: GraphPermission): void {
  if (!SATISFIED_BY[permission].some((p) => caller.permissions.has(p))) {
    throw new MailgateError('forbidden', `Access is denied. The token lacks the ${permission} permission.`);
  }
  // A delegated token cannot outlast the user's own right to send, which an administrator may revoke.
  if (caller.user && permission === 'Mail.Send' && !hasPermission(caller.user.roles, PERMISSION.send)) {
    throw new MailgateError('forbidden', 'Access is denied. The user may not send mail.');
  }
}

/**
 * `/me` is the signed-in user; `/users/{id | userPrincipalName}` is any user for an application
 * token, and only the signed-in user themself for a delegated one.
 */
export async function resolveMailbox(
  caller: GraphCaller,
  userParam: string | undefined,
  store: Pick<Store, 'getUserById' | 'getUserByEmail'>,
): Promise<Mailbox> {
  let user: UserRecord | undefined;
  if (userParam === undefined) {
    if (!caller.user) {
      throw new MailgateError('invalid_value', '/me request is only valid with delegated authentication flow.', 'url');
    }
    user = caller.user;
  } else {
    const id = decodeURIComponent(userParam);
    user = id.includes('@') ? await store.getUserByEmail(id) : await store.getUserById(id);
    if (!user) throw new MailgateError('not_found', `The requested user '${id}' is invalid.`);
    if (caller.user && caller.user.id !== user.id) throw new MailgateError('forbidden', 'Access is denied. Check credentials and try again.');
  }
  // An application token acts with application permissions: any local mailbox may be its sender.
  const app = caller.user ? {} : { app: { clientId: caller.claims.clientId } };
  return { user, principal: { userId: user.id, email: user.email, ...app } };
}
