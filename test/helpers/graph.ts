/**
 * Graph test fixtures: a gateway relaying to a real SMTP sink, users with passwords, an OAuth app,
 * tokens from the real token endpoint, and both Microsoft SDKs configured as the README shows.
 */
import { Client } from '@microsoft/microsoft-graph-client';
import { AllowedHostsValidator, BaseBearerTokenAuthenticationProvider, type AccessTokenProvider } from '@microsoft/kiota-abstractions';
import { createGraphServiceClient, GraphRequestAdapter, type GraphServiceClient } from '@microsoft/msgraph-sdk';
import '@microsoft/msgraph-sdk-users';
import { addUser } from '../../src/auth/identity.js';
import { createOAuthClient } from '../../src/auth/oauth-clients.js';
import { setUserPassword } from '../../src/auth/passwords.js';
import { tenantIdFor } from '../../src/auth/tenant.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

export const PASSWORD = 'correct horse battery';

export interface GraphApp {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface GraphFixture {
  gw: TestGateway;
  sink: SmtpSink;
  tenantId: string;
  /** Creates a user with a password (roles default to `user`). */
  user(email: string, options?: { name?: string; roles?: string[] }): Promise<string>;
  app(permissions: string[]): Promise<GraphApp>;
  /** POSTs a token request form; answers status and JSON body. */
  tokenRequest(form: Record<string, string>, tenant?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A delegated token (password grant). */
  userToken(app: GraphApp, email: string, scope?: string): Promise<string>;
  /** An app-only token (client credentials). */
  appToken(app: GraphApp): Promise<string>;
  stop(): Promise<void>;
}

export async function startGraphFixture(env: Record<string, string> = {}): Promise<GraphFixture> {
  const sink = await startSmtpSink();
  const gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, ...env });
  const { store } = gw.server.gateway;
  const tenantId = tenantIdFor('gateway.test');
  const fixture: GraphFixture = {
    gw,
    sink,
    tenantId,
    async user(email, options = {}) {
      const user = await addUser(store, { email, ...(options.name ? { name: options.name } : {}), roles: options.roles ?? ['user'] });
      await setUserPassword(store, user.id, PASSWORD);
      return user.id;
    },
    async app(permissions) {
      const created = await createOAuthClient(store, { name: 'test app', permissions });
      return { tenantId, clientId: created.clientId, clientSecret: created.clientSecret };
    },
    async tokenRequest(form, tenant = tenantId) {
      const res = await fetch(`${gw.url}/${tenant}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async userToken(app, email, scope = 'https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/Mail.ReadWrite') {
      const { status, body } = await fixture.tokenRequest({ grant_type: 'password', client_id: app.clientId, username: email, password: PASSWORD, scope });
      if (status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token as string;
    },
    async appToken(app) {
      const { status, body } = await fixture.tokenRequest({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      });
      if (status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token as string;
    },
    async stop() {
      await gw.stop();
      await sink.close();
    },
  };
  return fixture;
}

/**
 * `@microsoft/microsoft-graph-client` as Microsoft's docs configure it for a national cloud or a
 * custom host: `Client.init` with an auth provider, the base URL, and the host in `customHosts` so
 * the SDK's own AuthenticationHandler attaches the token (it does so for https:// URLs only).
 */
export function graphClient(httpsUrl: string, token: () => Promise<string>): Client {
  return Client.init({
    authProvider: (done) => {
      token().then((t) => done(null, t), (error: unknown) => done(error, null));
    },
    baseUrl: httpsUrl,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(httpsUrl).hostname]),
  });
}

/** `@microsoft/msgraph-sdk` (Kiota) against mailgate: the adapter's baseUrl, and the host allowed for the token (README); https in the tests. */
export function kiotaClient(baseUrl: string, token: () => Promise<string>): { client: GraphServiceClient; adapter: GraphRequestAdapter } {
  const tokens: AccessTokenProvider = {
    getAuthorizationToken: () => token(),
    getAllowedHostsValidator: () => new AllowedHostsValidator(new Set([new URL(baseUrl).host])),
  };
  const adapter = new GraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens));
  adapter.baseUrl = `${baseUrl}/v1.0`;
  return { client: createGraphServiceClient(adapter), adapter };
}
