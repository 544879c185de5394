/**
 * LINE WORKS test fixtures: a gateway relaying to a real SMTP sink (local domain `example.test`),
 * with the Works API also on its own port, users, and user-account tokens issued the way
 * `mailgate token create` issues them.
 */
import { addUser } from '../../src/auth/identity.js';
import { setUserPassword } from '../../src/auth/passwords.js';
import { CLI_CLIENT_ID, issueWorksUserTokens } from '../../src/api/works/auth.js';
import type { UserRecord } from '../../src/core/storage/store.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { startSmtpSink, type SinkScript, type SmtpSink } from './smtp-sink.js';
import type { Fetch } from './tls-fetch.js';

export const PASSWORD = 'correct horse battery';

export interface WorksFixture {
  gw: TestGateway;
  sink: SmtpSink;
  /** `http://127.0.0.1:<http>/works` (the main port's mount). */
  base: string;
  /** `https://127.0.0.1:<MAILGATE_WORKS_PORT>` (the vendor's exact paths; TLS with the gateway's certificate). */
  vendorBase: string;
  /** fetch trusting the gateway's certificate, for `vendorBase`. */
  vendorFetch: Fetch;
  user(email: string, options?: { name?: string; roles?: string[] }): Promise<UserRecord>;
  /** A user-account token for `email` (scope `mail` unless given). */
  token(email: string, scope?: string): Promise<string>;
  /** Calls the Works API under `/works/v1.0`; JSON in and out. */
  call(token: string | undefined, method: string, path: string, body?: unknown): Promise<WorksResponse>;
  stop(): Promise<void>;
}

export interface WorksResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function worksRequest(url: string, token: string | undefined, method: string, body?: unknown, client: Fetch = fetch): Promise<WorksResponse> {
  const res = await client(url, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Non-JSON answers (the empty 202) keep `json` empty; tests read `text`.
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** What a browser holds after loading the login page: the form's fields and the cookie that binds its token. */
export interface LoginForm {
  status: number;
  /** The form's hidden fields, `_csrf` included. */
  fields: Record<string, string>;
  /** `name=value` of the CSRF secret cookie, as a browser sends it back. */
  cookie: string;
  headers: Headers;
}

/** Loads the login page (`GET /authorize?…`) and reads its hidden fields and cookie. */
export async function loadLoginForm(authorizeUrl: string, query: URLSearchParams): Promise<LoginForm> {
  const page = await fetch(`${authorizeUrl}?${query.toString()}`);
  const html = await page.text();
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1] as string] = (m[2] as string).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0] as string).join('; ');
  return { status: page.status, fields, cookie, headers: page.headers };
}

/** Signs in on the login page as a browser would: loads the form, then posts it with its token and cookie. */
export async function signInOnLoginPage(authorizeUrl: string, query: URLSearchParams, username: string, password: string): Promise<Response> {
  const form = await loadLoginForm(authorizeUrl, query);
  return fetch(authorizeUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: form.cookie, Origin: new URL(authorizeUrl).origin },
    body: new URLSearchParams({ ...form.fields, username, password }),
    redirect: 'manual',
  });
}

export async function startWorksFixture(env: Record<string, string> = {}, script: SinkScript = {}): Promise<WorksFixture> {
  const sink = await startSmtpSink(script);
  const gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAILGATE_WORKS_PORT: '0', ...env });
  const { store, tokens, config } = gw.server.gateway;
  const fixture: WorksFixture = {
    gw,
    sink,
    base: `${gw.url}/works`,
    vendorBase: `https://127.0.0.1:${gw.server.worksPort ?? 0}`,
    vendorFetch: gw.tlsFetch,
    async user(email, options = {}) {
      const user = await addUser(store, { email, ...(options.name ? { name: options.name } : {}), roles: options.roles ?? ['user'] });
      await setUserPassword(store, user.id, PASSWORD);
      return user;
    },
    async token(email, scope = 'mail') {
      const user = await store.getUserByEmail(email);
      if (!user) throw new Error(`no user ${email}`);
      const issued = await issueWorksUserTokens(
        { tokens, store, hostname: config.hostname, now: Date.now() },
        { user, clientId: CLI_CLIENT_ID, scopes: scope.split(','), withRefreshToken: false },
      );
      return issued.access_token;
    },
    call: (token, method, path, body) => worksRequest(`${gw.url}/works/v1.0${path}`, token, method, body),
    async stop() {
      await gw.stop();
      await sink.close();
    },
  };
  return fixture;
}
