/**
 * The console session: `POST /session` signs in with email and password (over HTTPS only) and sets
 * the session cookie; `GET /session` says who is signed in (or that no one is), with what permissions, and the CSRF
 * token for state-changing calls; `DELETE /session` signs out (docs/console.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GuessRefused } from '../../../auth/guess-guard.js';
import { hasPermission, PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import type { UserRecord } from '../../../core/storage/store.js';
import { adminCaller, SESSION_COOKIE, sessionTokenOf } from '../caller.js';
import type { AdminContext } from '../context.js';
import { sessionSchemas } from './console-schemas.js';

const SIGNED_OUT = { signedIn: false, permissions: [], csrfToken: '' };

function view(user: UserRecord, csrfToken: string) {
  return {
    signedIn: true,
    user: { email: user.email, name: user.name, roles: user.roles },
    permissions: Object.values(PERMISSION).filter((p) => hasPermission(user.roles, p)),
    csrfToken,
  };
}

const cookieBase = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' } as const;

export function sessionRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const sessions = gateway.consoleSessions;

  app.post<{ Body: { email: string; password: string } }>(
    '/session',
    { config: { access: 'sign-in' }, schema: sessionSchemas.signIn },
    async (request: FastifyRequest<{ Body: { email: string; password: string } }>, reply: FastifyReply) => {
      // The cookie is Secure: handed out over plain HTTP it would never come back.
      if (request.protocol !== 'https') throw new MailgateError('forbidden', 'The console signs in over HTTPS only');
      try {
        const signed = await sessions.signIn(request.body.email, request.body.password, request.ip);
        void reply.setCookie(SESSION_COOKIE, signed.token, { ...cookieBase, maxAge: gateway.config.consoleSessionSeconds });
        return view(signed.user, signed.csrfToken);
      } catch (error) {
        if (error instanceof GuessRefused) void reply.header('retry-after', String(error.retryAfterSeconds));
        throw error;
      }
    },
  );

  // Open, so that the console learns "signed out" from a 200 rather than from a failed request.
  app.get(
    '/session',
    { config: { access: 'sign-in' }, schema: sessionSchemas.show },
    async (request) => {
      if (request.headers.authorization !== undefined) return view(await adminCaller(request, gateway), '');
      const token = sessionTokenOf(request);
      const session = token === undefined ? undefined : await sessions.resolve(token);
      return session ? view(session.user, session.csrfToken) : SIGNED_OUT;
    },
  );

  app.delete(
    '/session',
    { config: { access: 'any-caller' }, schema: sessionSchemas.signOut },
    async (request, reply) => {
      const token = sessionTokenOf(request);
      if (token !== undefined) await sessions.signOut(token);
      return reply.clearCookie(SESSION_COOKIE, cookieBase).code(204).send();
    },
  );
}
