/**
 * Mimecast API 2.0 end to end, as its documentation tells a client to work (docs/vendor-apis.md
 * "Mimecast API 2.0"): a form POST to `/oauth/token` with the client credentials, then the same
 * `/api/...` functions with `Authorization: Bearer <token>`. Real gateway, real SMTP sink, the
 * gateway's clock moved to expire tokens, and the CLI run as a real process.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createMimecastKeys } from '../src/auth/identity.js';
import { createOAuthClient } from '../src/auth/oauth-clients.js';
import { tenantIdFor } from '../src/auth/tenant.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import type { Fetch } from './helpers/tls-fetch.js';
import { movableClock, type MovableClock } from './helpers/guessing.js';
import { mcPost, type McResponse } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const RATE_LIMIT = 6;

let sink: SmtpSink;
let gw: TestGateway;
let clock: MovableClock;

interface App {
  clientId: string;
  clientSecret: string;
}

type Json = Record<string, unknown>;

/** A user and a Mimecast API 2.0 application bound to it. */
async function userApp(email: string, roles: string[] = ['user']): Promise<App> {
  const { store } = gw.server.gateway;
  const user = await addUser(store, { email, roles });
  const created = await createOAuthClient(store, { name: `app of ${email}`, permissions: [], userId: user.id });
  return { clientId: created.clientId, clientSecret: created.clientSecret };
}

/** The documented token request: form-encoded client_id, client_secret, grant_type. */
async function tokenRequest(form: Record<string, string>, base = gw.url, client: Fetch = fetch) {
  const res = await client(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

async function token(app: App): Promise<string> {
  const res = await tokenRequest({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'client_credentials' });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

/** A 2.0 call: the same path and body as 1.0, a bearer token instead of the signature headers. */
async function call(bearer: string, uri: string, data: unknown[], headers: Record<string, string> = {}): Promise<McResponse> {
  const res = await fetch(gw.url + uri, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify({ data }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as McResponse['body'] };
}

const mail = (subject: string, to = 'reader@remote.test') => ({ to: [{ emailAddress: to }], subject, plainBody: { content: `body of ${subject}` } });

beforeAll(async () => {
  sink = await startSmtpSink();
  clock = movableClock();
  gw = await startTestGateway(
    {
      MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      MAILGATE_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      MAILGATE_AUTH_MAX_FAILURES: '3',
      MAILGATE_AUTH_LOCKOUT_SECONDS: '900',
      MAILGATE_AUTH_BACKOFF_MS: '0',
    },
    undefined,
    undefined,
    { clock },
  );
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('Mimecast API 2.0 token endpoint', () => {
  it('answers the documented token response, on HTTP and HTTPS alike', async () => {
    const app = await userApp('token@example.test');
    const form = { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'client_credentials' };
    for (const res of [await tokenRequest(form), await tokenRequest(form, gw.httpsUrl, gw.tlsFetch)]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 1800 });
    }
  });

  it('refuses a wrong secret as invalid_client through the guess guard, and queues nothing', async () => {
    const app = await userApp('guessed@example.test');
    const before = await gw.countRows('messages');
    for (let i = 0; i < 3; i++) {
      const wrong = await tokenRequest({ client_id: app.clientId, client_secret: 'not-the-secret', grant_type: 'client_credentials' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    }
    // Three failures lock the application: now even its right secret is refused, for later.
    const locked = await tokenRequest({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'client_credentials' });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('invalid_client');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await gw.countRows('messages')).toBe(before);
  });

  it('refuses other grants, missing credentials and non-Mimecast applications', async () => {
    const app = await userApp('grants@example.test');
    const password = await tokenRequest({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'password' });
    expect(password.status).toBe(400);
    expect(password.body.error).toBe('unsupported_grant_type');
    const noId = await tokenRequest({ client_secret: app.clientSecret, grant_type: 'client_credentials' });
    expect(noId.status).toBe(400);
    expect(noId.body.error).toBe('invalid_request');
    const noSecret = await tokenRequest({ client_id: app.clientId, grant_type: 'client_credentials' });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error).toBe('invalid_request');
    // A Graph app (bound to no user) has no Mimecast identity; a Mimecast app gets no Graph token.
    const graphApp = await createOAuthClient(gw.server.gateway.store, { name: 'graph app', permissions: ['Mail.Send'] });
    const asMimecast = await tokenRequest({ client_id: graphApp.clientId, client_secret: graphApp.clientSecret, grant_type: 'client_credentials' });
    expect(asMimecast.status).toBe(401);
    expect(asMimecast.body.error).toBe('invalid_client');
    const asGraph = await graphToken({ client_id: app.clientId, client_secret: app.clientSecret });
    expect(asGraph.status).toBe(400);
    expect(asGraph.body.error).toBe('unauthorized_client');
  });
});

async function graphToken(credentials: { client_id: string; client_secret: string }) {
  const res = await fetch(`${gw.url}/${tenantIdFor('gateway.test')}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...credentials, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('Mimecast API 2.0 functions', () => {
  it('sends with a bearer token; the mail reaches the relay and message-finder finds it', async () => {
    const bearer = await token(await userApp('flow@example.test', ['tracking']));
    const before = sink.messages.length;
    const sent = await call(bearer, '/api/email/send-email', [mail('sent over API 2.0')]);
    expect(sent.status).toBe(200);
    expect(sent.body.fail).toEqual([]);
    expect(sent.headers.get('x-ratelimit-limit')).toBe(String(RATE_LIMIT));
    const messageId = sent.body.data[0]?.messageId as string;
    const [arrived] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(arrived?.rcptTo).toEqual(['reader@remote.test']);
    expect(arrived?.raw.toString()).toContain('sent over API 2.0');
    const found = await call(bearer, '/api/message-finder/search', [{ messageId }]);
    expect(found.status).toBe(200);
    const tracked = found.body.data[0]?.trackedEmails as Json[];
    expect(tracked).toEqual([expect.objectContaining({ subject: 'sent over API 2.0', fromEnv: { emailAddress: 'flow@example.test' }, route: 'outbound' })]);
  });

  it('releases a held message with a held reviewer\'s token', async () => {
    const { store } = gw.server.gateway;
    const sender = await token(await userApp('held-sender@example.test'));
    const reviewer = await token(await userApp('reviewer@example.test', ['held-reviewer']));
    await gw.server.gateway.settings.savePolicy({ name: 'Review held-sender', kind: 'sender', routes: ['outbound'], params: { addresses: ['held-sender@example.test'] } }, 'test');
    expect((await call(sender, '/api/email/send-email', [mail('held for review', 'boss@remote.test')])).body.fail).toEqual([]);
    const { holds } = await store.listHolds({ status: 'held', search: { field: 'subject', value: 'held for review' }, offset: 0, limit: 5 });
    expect(holds).toHaveLength(1);
    const id = holds[0]?.messageId as string;
    const before = sink.messages.length;
    const released = await call(reviewer, '/api/gateway/hold-release', [{ id }]);
    expect(released.body).toEqual({ meta: { status: 200 }, data: [{ id, release: true }], fail: [] });
    const arrived = (await sink.waitForMessages(before + 1)).slice(before);
    expect(arrived.map((m) => m.rcptTo)).toContainEqual(['boss@remote.test']);
  });

  it('refuses a function the user\'s roles do not allow exactly as 1.0 does', async () => {
    const { store, secrets } = gw.server.gateway;
    const bearer = await token(await userApp('no-tracking@example.test'));
    const v2 = await call(bearer, '/api/message-finder/search', [{ messageId: '<x@example.test>' }]);
    const keys = await createMimecastKeys(store, secrets, { email: 'no-tracking@example.test' });
    const v1 = await mcPost(gw.url, keys, '/api/message-finder/search', JSON.stringify({ data: [{ messageId: '<x@example.test>' }] }));
    expect(v2.status).toBe(403);
    expect(v2.body).toEqual(v1.body);
    expect(v2.body.fail[0]?.errors[0]?.code).toBe('err_xdk_forbidden');
  });

  it('refuses a Graph token, and a Mimecast token on Graph, queueing nothing', async () => {
    const { store } = gw.server.gateway;
    const graphApp = await createOAuthClient(store, { name: 'graph sender', permissions: ['Mail.Send'] });
    const graph = await graphToken({ client_id: graphApp.clientId, client_secret: graphApp.clientSecret });
    expect(graph.status).toBe(200);
    const before = await gw.countRows('messages');
    const refused = await call(graph.body.access_token as string, '/api/email/send-email', [mail('graph token on mimecast')]);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ meta: { status: 401 }, data: [], fail: [{ errors: [expect.objectContaining({ code: 'err_xdk_invalid_token', retryable: false })] }] });
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    const mimecast = await token(await userApp('cross@example.test'));
    const onGraph = await fetch(`${gw.url}/v1.0/users/cross@example.test/sendMail`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${mimecast}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: { subject: 'mimecast token on graph', body: { content: 'x' }, toRecipients: [{ emailAddress: { address: 'r@remote.test' } }] } }),
    });
    expect(onGraph.status).toBe(401);
    expect(await gw.countRows('messages')).toBe(before);
  });

  it('limits each application\'s rate: 429 with the rate headers and Retry-After, and the function does not run', async () => {
    const bearer = await token(await userApp('busy@example.test'));
    const before = await gw.countRows('messages');
    for (let i = 0; i < RATE_LIMIT; i++) {
      const ok = await call(bearer, '/api/email/send-email', [mail(`burst ${i}`)]);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(RATE_LIMIT - i - 1));
    }
    const limited = await call(bearer, '/api/email/send-email', [mail('one too many')]);
    expect(limited.status).toBe(429);
    expect(limited.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_xdk_rate_limit_exceeded', retryable: true });
    expect(limited.headers.get('x-ratelimit-limit')).toBe(String(RATE_LIMIT));
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    const resetMs = Number(limited.headers.get('x-ratelimit-reset'));
    expect(resetMs).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBe(Math.max(1, Math.ceil(resetMs / 1000)));
    expect(await gw.countRows('messages')).toBe(before + RATE_LIMIT);
    // The budget is the application's: another application of another user is not limited by it.
    const other = await token(await userApp('calm@example.test'));
    expect((await call(other, '/api/email/send-email', [mail('calm')])).status).toBe(200);
  });

  it('replays a retried send under the same x-mc-req-id for the same bearer principal only', async () => {
    const first = await token(await userApp('retry@example.test'));
    const second = await token(await userApp('retry-other@example.test'));
    const reqId = randomUUID();
    const before = await gw.countRows('messages');
    const a = await call(first, '/api/email/send-email', [mail('retried once')], { 'x-mc-req-id': reqId });
    const again = await call(first, '/api/email/send-email', [mail('retried once')], { 'x-mc-req-id': reqId });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(a.body);
    const otherUser = await call(second, '/api/email/send-email', [mail('retried once')], { 'x-mc-req-id': reqId });
    expect(otherUser.headers.get('idempotent-replayed')).toBeNull();
    expect(await gw.countRows('messages')).toBe(before + 2);
  });

  // Moves the gateway's clock: keep it last in this file.
  it('refuses an expired token with 401 and queues nothing', async () => {
    const bearer = await token(await userApp('late@example.test'));
    clock.advance(1801 * 1000);
    const before = await gw.countRows('messages');
    const expired = await call(bearer, '/api/email/send-email', [mail('too late')]);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ meta: { status: 401 }, data: [], fail: [{ errors: [expect.objectContaining({ code: 'err_xdk_token_expired', retryable: false })] }] });
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await gw.countRows('messages')).toBe(before);
  });
});

describe('mailgate keys create --oauth', () => {
  it('prints the client id and secret once; only a hash is stored, and the pair gets a token', async () => {
    const { store } = gw.server.gateway;
    await addUser(store, { email: 'cli@example.test' });
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', 'create', '--user', 'cli@example.test', '--oauth'], {
      cwd: root,
      env: { ...process.env, MAILGATE_DATA_DIR: gw.dataDir, ...gw.databaseEnv },
    });
    const printed = JSON.parse(stdout) as App;
    expect(Object.keys(printed).sort()).toEqual(['clientId', 'clientSecret']);
    const stored = await store.getOAuthClient(printed.clientId);
    expect(stored?.secretHash).toMatch(/^sha256\$/);
    expect(JSON.stringify(stored)).not.toContain(printed.clientSecret);
    expect(stored?.userId).toBe((await store.getUserByEmail('cli@example.test'))?.id);
    expect(typeof (await token(printed))).toBe('string');
  });
});
