/**
 * Who calls the admin API: a Mimecast-signed request (scripts, the CLI's peers), or the web
 * console's session cookie over HTTPS, with the session's CSRF token on every state-changing call
 * (docs/console.md). Either way the route's permission is then checked against the user's roles.
 */
import type { FastifyRequest } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import type { UserRecord } from '../../core/storage/store.js';
import type { Gateway } from '../../gateway.js';
import { authenticateMimecast } from '../mimecast/auth.js';

/** `__Host-`: the browser keeps it only when Secure, for path `/`, and for this host alone. */
export const SESSION_COOKIE = '__Host-mailgate-console';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The console session token of a request, when it came over HTTPS with one. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  // The cookie is Secure; one sent over plain HTTP was not set by us for this scheme.
  if (request.protocol !== 'https') return undefined;
  const token = request.cookies[SESSION_COOKIE];
  return token === undefined || token === '' ? undefined : token;
}

export async function adminCaller(request: FastifyRequest, gateway: Gateway): Promise<UserRecord> {
  const token = request.headers.authorization === undefined ? sessionTokenOf(request) : undefined;
  if (token === undefined) {
    const caller = await authenticateMimecast(
      { headers: request.headers, path: request.url.split('?')[0] ?? request.url },
      {
        store: gateway.store,
        secrets: gateway.secrets,
        now: gateway.clock.now(),
        clockSkewSeconds: gateway.config.clockSkewSeconds,
        replayProtection: gateway.config.replayProtection,
      },
    );
    return caller.user;
  }
  const session = await gateway.consoleSessions.resolve(token);
  if (!session) throw new MailgateError('auth_missing', 'The console session has ended; sign in again');
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !gateway.consoleSessions.csrfMatches(token, sent)) {
      throw new MailgateError('forbidden', `The ${CSRF_HEADER} header is missing or does not belong to this session`);
    }
  }
  return session.user;
}
