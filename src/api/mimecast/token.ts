/**
 * Mimecast API 2.0's token endpoint, `POST /oauth/token` (docs/vendor-apis.md "Mimecast API 2.0"):
 * the client credentials grant only, form-encoded `client_id`, `client_secret`, `grant_type`, or
 * the credentials as HTTP Basic. Answers `{access_token, token_type: "Bearer", expires_in}`;
 * failures are RFC 6749 5.2's `{error, error_description}`.
 */
import type { FastifyInstance } from 'fastify';
import { assertClientKind, authenticateClient } from '../../auth/oauth-clients.js';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import { acceptFormBodies, clientCredentials, formField, formOf, oauthErrorHandler } from '../oauth-form.js';
import { MIMECAST_AUDIENCE, mimecastIssuer } from './bearer.js';

export async function mimecastTokenPlugin(app: FastifyInstance, opts: { gateway: Gateway }): Promise<void> {
  const { store, config, tokens, guesses } = opts.gateway;
  acceptFormBodies(app);
  app.setErrorHandler(oauthErrorHandler('mimecast token request'));

  app.post('/oauth/token', async (request, reply) => {
    const form = formOf(request);
    void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    // The grant is checked first: a request that cannot succeed spends no guess on its secret.
    const grant = formField(form, 'grant_type');
    if (grant !== 'client_credentials') throw new MailgateError('invalid_value', `The grant type '${grant}' is not supported`, 'grant_type');
    const credentials = clientCredentials(request, form);
    const secret = credentials.secret ?? formField(form, 'client_secret');
    const guess = { kind: 'client', account: credentials.id, ip: request.ip, way: 'mimecast-client-secret' } as const;
    const client = assertClientKind(await guesses.attempt(guess, () => authenticateClient(store, credentials.id, secret)), 'user-bound');
    const user = client.userId === undefined ? undefined : await store.getUserById(client.userId);
    if (!user) throw new MailgateError('auth_invalid_client', 'The user of this application no longer exists', 'client_id');
    const lifetime = config.mimecastTokenLifetimeSeconds;
    const { token } = await tokens.issue({
      issuer: mimecastIssuer(config.hostname),
      audience: MIMECAST_AUDIENCE,
      tenant: config.hostname,
      subject: user.id,
      clientId: client.clientId,
      userId: user.id,
      // The application acts with its user's roles, read afresh on every call; the token carries none.
      scopes: [],
      roles: [],
      lifetimeSeconds: lifetime,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: lifetime };
  });
}
