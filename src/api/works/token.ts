/**
 * The identity-provider side of the LINE WORKS dialect, mounted under `/works/oauth2/v2.0` (and
 * `/oauth2/v2.0` on MAILGATE_WORKS_PORT): `GET|POST /authorize` (a minimal login page that
 * redirects with an authorization code) and `POST /token` for `authorization_code`,
 * `refresh_token` (reusable until it expires, as the vendor's) and the JWT bearer grant of service
 * accounts. Answers the vendor's token JSON (`expires_in` a string); failures RFC 6749 5.2's body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertRegisteredRedirect, issueAuthorizationCode, redeemAuthorizationCode } from '../../auth/authorization-codes.js';
import { GuessRefused } from '../../auth/guess-guard.js';
import { assertClientKind, authenticateClient } from '../../auth/oauth-clients.js';
import { authenticateUser } from '../../auth/passwords.js';
import { useRefreshToken } from '../../auth/refresh-tokens.js';
import { verifyServiceAccountAssertion } from '../../auth/service-accounts.js';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import { asMailgateError } from '../fastify-errors.js';
import { acceptFormBodies, formField, oauthErrorHandler, type OAuthForm } from '../oauth-form.js';
import { loginPage, loginProtection } from './login-page.js';
import {
  ACCESS_LIFETIME_SECONDS,
  CLI_CLIENT_ID,
  issueWorksUserTokens,
  WORKS_AUDIENCE,
  worksIssuer,
  worksScopesOf,
  type WorksTokenResponse,
} from './auth.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

type Form = OAuthForm;
const field = (form: Form, name: string): string => formField(form, name);

function redirectWith(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>): FastifyReply {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return reply.code(302).header('Location', url.toString()).header('Cache-Control', 'no-store').send();
}

export async function worksTokenPlugin(app: FastifyInstance, opts: { gateway: Gateway }): Promise<void> {
  const { gateway } = opts;
  const { store, config, clock, tokens, guesses } = gateway;
  const loginGuards = await loginProtection(app);

  acceptFormBodies(app);
  app.setErrorHandler(oauthErrorHandler('works token request'));

  /** Checks the authorization request up to the redirect URI; errors before that are shown, never redirected (RFC 6749 4.1.2.1). */
  async function checkRequest(form: Form): Promise<{ clientId: string; redirectUri: string }> {
    const clientId = field(form, 'client_id');
    assertClientKind(await authenticateClient(store, clientId, undefined), 'app');
    const redirectUri = field(form, 'redirect_uri');
    await assertRegisteredRedirect(store, clientId, redirectUri);
    return { clientId, redirectUri };
  }

  /** The app, its secret checked as a guess the guard counts. */
  function checkClient(request: FastifyRequest, clientId: string, secret: string): ReturnType<typeof authenticateClient> {
    const guess = { kind: 'client', account: clientId, ip: request.ip, way: 'works-client-secret' } as const;
    return guesses.attempt(guess, () => authenticateClient(store, clientId, secret)).then((client) => assertClientKind(client, 'app'));
  }

  async function authorize(request: FastifyRequest, form: Form, reply: FastifyReply, signIn: boolean): Promise<FastifyReply> {
    let checked: { clientId: string; redirectUri: string };
    try {
      checked = await checkRequest(form);
    } catch (error) {
      const failure = asMailgateError(error);
      if (failure.code === 'internal') throw error;
      return reply.code(400).type('text/plain; charset=utf-8').send(`The authorization request is invalid: ${failure.message}`);
    }
    const { clientId, redirectUri } = checked;
    if (form.response_type !== 'code') return redirectWith(reply, redirectUri, { error: 'unsupported_response_type', state: form.state });
    let scopes: string[];
    try {
      scopes = worksScopesOf(form.scope);
    } catch {
      return redirectWith(reply, redirectUri, { error: 'invalid_scope', state: form.state });
    }
    if (!signIn) return loginPage(reply, form, undefined);
    let userId: string;
    try {
      const username = field(form, 'username');
      const password = field(form, 'password');
      const guess = { kind: 'user', account: username, ip: request.ip, way: 'works-login' } as const;
      userId = (await guesses.attempt(guess, () => authenticateUser(store, username, password))).id;
    } catch (error) {
      if (error instanceof GuessRefused) {
        void reply.header('Retry-After', String(error.retryAfterSeconds));
        const minutes = Math.ceil(error.retryAfterSeconds / 60);
        const wait = error.retryAfterSeconds < 60 ? `${error.retryAfterSeconds} seconds` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
        return loginPage(reply, form, `Too many failed sign-in attempts. Try again in ${wait}.`, 429);
      }
      if (asMailgateError(error).code === 'internal') throw error;
      return loginPage(reply, form, 'The email or password is incorrect.', 401);
    }
    const code = await issueAuthorizationCode(store, { clientId, userId, redirectUri, audience: WORKS_AUDIENCE, scopes }, clock.now());
    return redirectWith(reply, redirectUri, { code, state: form.state });
  }

  app.get('/authorize', async (request, reply) => authorize(request, request.query as Form, reply, false));
  app.post('/authorize', loginGuards, async (request, reply) => authorize(request, (request.body ?? {}) as Form, reply, true));

  app.post('/token', async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const grant = field(form, 'grant_type');
    const now = clock.now();
    const deps = { tokens, store, hostname: config.hostname, now };
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');

    if (grant === 'authorization_code') {
      const client = await checkClient(request, field(form, 'client_id'), field(form, 'client_secret'));
      const redeemed = await redeemAuthorizationCode(
        store,
        field(form, 'code'),
        { clientId: client.clientId, audience: WORKS_AUDIENCE, redirectUri: form.redirect_uri || undefined },
        now,
      );
      const user = await store.getUserById(redeemed.userId);
      if (!user) throw new MailgateError('auth_invalid_grant', 'The user of this code no longer exists', 'code');
      return issueWorksUserTokens(deps, { user, clientId: client.clientId, scopes: redeemed.scopes, withRefreshToken: true });
    }

    if (grant === 'refresh_token') {
      const clientId = field(form, 'client_id');
      // The CLI's client is public (RFC 6749 2.1): its refresh token is the whole credential.
      if (clientId !== CLI_CLIENT_ID) await checkClient(request, clientId, field(form, 'client_secret'));
      const redeemed = await useRefreshToken(store, field(form, 'refresh_token'), { clientId, audience: WORKS_AUDIENCE }, now);
      const user = await store.getUserById(redeemed.userId);
      if (!user) throw new MailgateError('auth_invalid_grant', 'The user of this refresh token no longer exists', 'refresh_token');
      // The vendor's refresh answer has no new refresh token: the old one stays valid until it expires.
      return issueWorksUserTokens(deps, { user, clientId, scopes: redeemed.scopes, withRefreshToken: false });
    }

    if (grant === JWT_BEARER) {
      const client = await checkClient(request, field(form, 'client_id'), field(form, 'client_secret'));
      const account = await verifyServiceAccountAssertion(store, client.clientId, field(form, 'assertion'), now);
      const scopes = worksScopesOf(field(form, 'scope'));
      // No userId: this is what the mail endpoints refuse with 403 (auth.ts).
      const { token } = await tokens.issue({
        issuer: worksIssuer(config.hostname),
        audience: WORKS_AUDIENCE,
        tenant: config.hostname,
        subject: account.accountId,
        clientId: client.clientId,
        scopes,
        roles: [],
        lifetimeSeconds: ACCESS_LIFETIME_SECONDS,
      });
      const response: WorksTokenResponse = { access_token: token, token_type: 'Bearer', expires_in: String(ACCESS_LIFETIME_SECONDS), scope: scopes.join(',') };
      return response;
    }

    throw new MailgateError('invalid_value', `The grant type '${grant}' is not supported`, 'grant_type');
  });
}
