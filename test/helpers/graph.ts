/**
 * Graph test fixtures: a gateway relaying to a real SMTP sink, users with passwords, an OAuth app,
 * tokens from the real token endpoint, and both Microsoft SDKs configured as the README shows.
 */
import { Client, HTTPMessageHandler, RetryHandler, RetryHandlerOptions, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
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
 * The graph-client middleware that attaches the bearer token to requests for mailgate's origin.
 * The SDK's own AuthenticationHandler only does so for https:// Graph hosts or `customHosts`.
 */
export class MailgateBearer implements Middleware {
  private next: Middleware | undefined;
  constructor(
    private readonly origin: string,
    private readonly token: () => Promise<string>,
  ) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (new URL(url).origin === this.origin) {
      context.options = { ...context.options, headers: { ...(context.options?.headers as Record<string, string>), Authorization: `Bearer ${await this.token()}` } };
    }
    return this.next?.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** `@microsoft/microsoft-graph-client` against mailgate over plain http (README). */
export function graphClient(baseUrl: string, token: () => Promise<string>, retry = new RetryHandlerOptions()): Client {
  return Client.initWithMiddleware({
    baseUrl,
    defaultVersion: 'v1.0',
    middleware: [new MailgateBearer(new URL(baseUrl).origin, token), new RetryHandler(retry), new HTTPMessageHandler()],
  });
}

/** `@microsoft/msgraph-sdk` (Kiota) against mailgate: the adapter's baseUrl, and the host allowed for the token (README). */
export function kiotaClient(baseUrl: string, token: () => Promise<string>): { client: GraphServiceClient; adapter: GraphRequestAdapter } {
  const tokens: AccessTokenProvider = {
    getAuthorizationToken: () => token(),
    getAllowedHostsValidator: () => new AllowedHostsValidator(new Set([new URL(baseUrl).host])),
  };
  const adapter = new GraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens));
  adapter.baseUrl = `${baseUrl}/v1.0`;
  return { client: createGraphServiceClient(adapter), adapter };
}
