/**
 * The identity-provider side of the Graph dialect: `POST /{tenant}/oauth2/v2.0/token` as Entra ID
 * answers it, for `client_credentials` (application permissions, `/users/{id}`), `password`
 * (delegated scopes, `/me`) and `refresh_token`. Errors use OAuth's body (RFC 6749 5.2) with
 * Entra's AADSTS numbers, which Azure client libraries show to their users.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GuessRefused } from '../../auth/guess-guard.js';
import { assertClientKind, authenticateClient } from '../../auth/oauth-clients.js';
import { authenticateUser } from '../../auth/passwords.js';
import { issueRefreshToken, redeemRefreshToken } from '../../auth/refresh-tokens.js';
import { hasPermission, PERMISSION } from '../../auth/roles.js';
import { tenantIdFor } from '../../auth/tenant.js';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import type { OAuthClientRecord } from '../../core/storage/oauth-store.js';
import type { UserRecord } from '../../core/storage/store.js';
import { asMailgateError } from '../fastify-errors.js';
import { entraAnswer } from '../oauth-errors.js';
import { acceptFormBodies, clientCredentials as basicOrBodyCredentials, formField, type OAuthForm } from '../oauth-form.js';
import { GRAPH_AUDIENCE, graphIssuer } from './auth.js';

/** Delegated Graph scopes mailgate grants; the OpenID ones only shape the response. */
const DELEGATED_SCOPES = ['Mail.Send', 'Mail.ReadWrite', 'Mail.Read'];
const OPENID_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
/** Entra's default refresh-token lifetime. */
const REFRESH_LIFETIME_SECONDS = 90 * 86_400;

type Form = OAuthForm;

function field(form: Form, name: string): string {
  return formField(form, name, `The request body must contain the following parameter: '${name}'.`);
}

/** RFC 6749 2.3.1: client credentials in the body or as HTTP Basic. */
function clientCredentials(request: FastifyRequest, form: Form): { id: string; secret: string | undefined } {
  return basicOrBodyCredentials(request, form, field);
}

/** Requested scopes without the resource prefix (`https://graph.microsoft.com/Mail.Send` → `Mail.Send`). */
function scopesOf(raw: string): string[] {
  return raw
    .split(/\s+/)
    .filter(Boolean)
    .map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//i, '').replace(/^00000003-0000-0000-c000-000000000000\//i, ''));
}

/** Delegated scopes for `user`: what was asked (all of them for `.default`), each one the user may have. */
function delegatedScopes(requested: string[], user: UserRecord): { granted: string[]; openid: string[] } {
  const eligible = DELEGATED_SCOPES.filter((s) => s !== 'Mail.Send' || hasPermission(user.roles, PERMISSION.send));
  const openid = requested.filter((s) => OPENID_SCOPES.includes(s.toLowerCase()));
  const asked = requested.filter((s) => !OPENID_SCOPES.includes(s.toLowerCase()));
  if (asked.some((s) => s === '.default')) return { granted: eligible, openid };
  for (const s of asked) {
    const known = DELEGATED_SCOPES.find((d) => d.toLowerCase() === s.toLowerCase());
    if (!known) throw new MailgateError('invalid_value', `The provided value for the input parameter 'scope' is not valid. The scope '${s}' does not exist.`, 'scope');
    if (!eligible.includes(known)) throw new MailgateError('forbidden', `The user may not be granted '${known}'.`, 'scope');
  }
  const granted = DELEGATED_SCOPES.filter((d) => asked.some((s) => s.toLowerCase() === d.toLowerCase()));
  if (granted.length === 0) throw new MailgateError('invalid_value', 'The scope must name at least one Graph permission.', 'scope');
  return { granted, openid };
}

export async function graphTokenPlugin(app: FastifyInstance, opts: { gateway: Gateway }): Promise<void> {
  const { gateway } = opts;
  const { store, config, clock, tokens, guesses } = gateway;
  const tenantId = tenantIdFor(config.hostname);
  const issuer = graphIssuer(config.hostname, tenantId);
  // Entra accepts its tenant id, a domain of the tenant, and the multi-tenant aliases.
  const tenants = new Set([tenantId, config.hostname, ...config.localDomains, 'common', 'organizations']);

  acceptFormBodies(app);

  app.setErrorHandler((error, request, reply) => {
    const failure = asMailgateError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, 'token request failed');
    const entra = entraAnswer(failure);
    const traceId = randomUUID();
    if (failure instanceof GuessRefused) void reply.header('Retry-After', String(failure.retryAfterSeconds));
    const message = `AADSTS${entra.aadsts}: ${failure.message}`;
    void reply.code(entra.status).header('Cache-Control', 'no-store').send({
      error: entra.error,
      error_description: `${message} Trace ID: ${traceId} Timestamp: ${new Date(clock.now()).toISOString()}`,
      error_codes: [entra.aadsts],
      timestamp: new Date(clock.now()).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'),
      trace_id: traceId,
      correlation_id: randomUUID(),
    });
  });

  /** The app; its secret, when one is sent, is a guess the guard counts. */
  async function checkClient(request: FastifyRequest, credentials: { id: string; secret: string | undefined }): Promise<OAuthClientRecord> {
    if (credentials.secret === undefined) return assertClientKind(await authenticateClient(store, credentials.id, undefined), 'app');
    const guess = { kind: 'client', account: credentials.id, ip: request.ip, way: 'graph-client-secret' } as const;
    return assertClientKind(await guesses.attempt(guess, () => authenticateClient(store, credentials.id, credentials.secret)), 'app');
  }

  app.post('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    const tenant = (request.params as { tenant: string }).tenant;
    if (!tenants.has(tenant.toLowerCase())) throw new MailgateError('invalid_value', `Tenant '${tenant}' not found.`, 'tenant');
    const form = (request.body ?? {}) as Form;
    const grant = field(form, 'grant_type');
    const lifetime = config.graphTokenLifetimeSeconds;
    const now = clock.now();
    const base = { issuer, audience: GRAPH_AUDIENCE, tenant: tenantId, lifetimeSeconds: lifetime };
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');

    if (grant === 'client_credentials') {
      const credentials = clientCredentials(request, form);
      if (credentials.secret === undefined) field(form, 'client_secret');
      const client = await checkClient(request, credentials);
      // Entra: client credentials take only `{resource}/.default`; the app's own permissions decide the roles.
      if (!scopesOf(field(form, 'scope')).every((s) => s === '.default')) {
        throw new MailgateError('invalid_value', 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.', 'scope.default');
      }
      const { token } = await tokens.issue({ ...base, subject: client.clientId, clientId: client.clientId, scopes: [], roles: client.permissions });
      return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token };
    }

    let client: OAuthClientRecord;
    let user: UserRecord;
    let granted: string[];
    let openid: string[];
    if (grant === 'password') {
      const credentials = clientCredentials(request, form);
      client = await checkClient(request, credentials);
      const username = field(form, 'username');
      const password = field(form, 'password');
      user = await guesses.attempt({ kind: 'user', account: username, ip: request.ip, way: 'graph-password' }, () => authenticateUser(store, username, password));
      ({ granted, openid } = delegatedScopes(scopesOf(field(form, 'scope')), user));
    } else if (grant === 'refresh_token') {
      const credentials = clientCredentials(request, form);
      client = await checkClient(request, credentials);
      const redeemed = await redeemRefreshToken(store, field(form, 'refresh_token'), { clientId: client.clientId, audience: GRAPH_AUDIENCE }, now);
      const found = await store.getUserById(redeemed.userId);
      if (!found) throw new MailgateError('auth_invalid_grant', 'The user of this refresh token no longer exists', 'refresh_token');
      user = found;
      // A refresh may narrow the scopes, never widen them.
      const asked = form.scope ? delegatedScopes(scopesOf(form.scope), user) : { granted: redeemed.scopes, openid: ['offline_access'] };
      granted = asked.granted.filter((s) => redeemed.scopes.includes(s));
      openid = asked.openid;
    } else {
      throw new MailgateError('invalid_value', `The app requested an unsupported grant type '${grant}'.`, 'grant_type');
    }

    const { token } = await tokens.issue({ ...base, subject: user.id, clientId: client.clientId, userId: user.id, scopes: granted, roles: [] });
    const response: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: [...granted, ...openid.filter((s) => s.toLowerCase() !== 'offline_access')].join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: token,
    };
    if (openid.some((s) => s.toLowerCase() === 'offline_access')) {
      response.refresh_token = await issueRefreshToken(
        store,
        { clientId: client.clientId, userId: user.id, audience: GRAPH_AUDIENCE, scopes: granted, lifetimeSeconds: REFRESH_LIFETIME_SECONDS },
        now,
      );
    }
    return response;
  });
}
