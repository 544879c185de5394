/**
 * The LINE WORKS login page and its defences against other sites: a CSRF token per form, bound to a
 * secret cookie (@fastify/csrf-protection over @fastify/cookie, registered only in the token
 * plugin's scope), an `Origin` check on the POST, and the shared HTML security headers. Login
 * CSRF would sign a victim's browser into the attacker's account; framing would let another site
 * overlay the form.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { escapeHtml } from '../../core/html-escape.js';
import { sendHtmlPage } from '../html-security-headers.js';

type Form = Record<string, string | undefined>;

/** The hidden field that carries the form's CSRF token (the plugin's default name). */
const CSRF_FIELD = '_csrf';

/** The login page: the authorization request travels in hidden fields to the POST, with a fresh CSRF token. */
export function loginPage(reply: FastifyReply, form: Form, problem: string | undefined, status = 200): FastifyReply {
  const hidden = ['client_id', 'redirect_uri', 'scope', 'state', 'response_type']
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(form[name] ?? '')}">`)
    .join('');
  const token = `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(reply.generateCsrf())}">`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Sign in to mailgate</title></head><body>
<h1>Sign in</h1>${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post">${hidden}${token}
<label>Email <input name="username" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`;
  // Only checked requests reach here, so redirect_uri is a registered one: the form may lead there.
  return sendHtmlPage(reply, status, html, form.redirect_uri ? [form.redirect_uri] : []);
}

/** A refusal shown instead of the form: nothing was checked, no code is issued. */
export function refusalPage(reply: FastifyReply, status: number, text: string): FastifyReply {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Sign-in refused</title></head><body>
<h1>Sign-in refused</h1><p role="alert">${escapeHtml(text)}</p></body></html>`;
  return sendHtmlPage(reply, status, html);
}

/** True when the browser says the POST came from another origin (an absent Origin is an older browser's same-origin post). */
function crossOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  return origin !== `${request.protocol}://${request.host}`;
}

function isCsrfRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('FST_CSRF_');
}

/** The login POST's route options: origin check, CSRF token check, and a page (not JSON) for their refusals. */
export interface LoginPostGuards {
  preHandler: preHandlerHookHandler[];
  errorHandler: (error: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

/** Registers cookies and CSRF tokens in `app` (the token plugin's own scope) and answers the login POST's guards. */
export async function loginProtection(app: FastifyInstance): Promise<LoginPostGuards> {
  await app.register(fastifyCookie);
  await app.register(fastifyCsrfProtection, {
    // Scoped to the login page's path; SameSite=Strict keeps other sites' posts from carrying it.
    cookieOpts: { path: app.prefix || '/', sameSite: 'strict', httpOnly: true, secure: 'auto' },
  });
  const sameOrigin: preHandlerHookHandler = (request, reply, done) => {
    if (!crossOrigin(request)) return done();
    request.log.warn({ origin: request.headers.origin, ip: request.ip }, 'login post from another origin refused');
    refusalPage(reply, 403, 'This sign-in came from another site and was refused.');
  };
  return {
    preHandler: [sameOrigin, app.csrfProtection],
    errorHandler(error, request, reply) {
      // Anything else goes on to the plugin's own error handler.
      if (!isCsrfRefusal(error)) throw error;
      request.log.warn({ ip: request.ip, reason: (error as Error).message }, 'login post without a valid form token refused');
      return refusalPage(reply, 403, 'The sign-in form expired or did not come from this site. Reload the sign-in page and try again.');
    },
  };
}
