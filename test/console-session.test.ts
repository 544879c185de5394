/**
 * The console's session and the admin API routes it calls, over the real HTTPS listener: sign-in
 * (HTTPS only, throttled), the cookie's attributes, the hashed token in the store, CSRF on every
 * change, idle and absolute expiry, roles enforced by the server, and the overview and search the
 * pages show. Runs on both backends (vitest.config.ts).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/identity.js';
import { setUserPassword } from '../src/auth/passwords.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { storeDeferredMessage } from './helpers/deferred-message.js';
import { mcPost } from './helpers/mimecast-client.js';
import { waitFor } from './helpers/wait-for.js';

const PASSWORD = 'correct horse battery';
let gw: TestGateway;
let offset = 0;
const clock = { now: () => Date.now() + offset };

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, options: { cookie?: string; csrf?: string; body?: unknown; plain?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf !== undefined) headers['x-csrf-token'] = options.csrf;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const send = options.plain ? fetch : gw.tlsFetch;
  const res = await send((options.plain ? gw.url : gw.httpsUrl) + path, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

async function signIn(email: string, password = PASSWORD): Promise<{ cookie: string; csrf: string; setCookie: string; token: string }> {
  const res = await call('POST', '/admin/api/session', { body: { email, password } });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] as string;
  return { cookie, setCookie, csrf: res.body.csrfToken as string, token: cookie.split('=')[1] as string };
}

beforeAll(async () => {
  gw = await startTestGateway({ MAILGATE_AUTH_MAX_FAILURES: '3', MAILGATE_AUTH_BACKOFF_MS: '0', MAILGATE_CONSOLE_IDLE_SECONDS: '600', MAILGATE_CONSOLE_SESSION_SECONDS: '3600' }, undefined, undefined, { clock });
  const { store } = gw.server.gateway;
  for (const [email, roles] of [
    ['boss@example.test', ['admin']],
    ['watcher@example.test', ['tracking']],
    ['locked@example.test', ['admin']],
  ] as const) {
    const user = await addUser(store, { email, roles: [...roles] });
    await setUserPassword(store, user.id, PASSWORD);
  }
});

afterAll(async () => {
  await gw?.stop();
});

describe('console session', () => {
  it('signs in over HTTPS with a Secure, HttpOnly, SameSite=Strict cookie whose token the store keeps only hashed', async () => {
    const session = await signIn('boss@example.test');
    expect(session.setCookie).toMatch(/^__Host-mailgate-console=[\w-]{43}; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const { store } = gw.server.gateway;
    expect(await store.getConsoleSession(session.token)).toBeUndefined();
    const sha = createHash('sha256').update(session.token).digest('base64url');
    expect(await store.getConsoleSession(sha)).toMatchObject({ tokenHash: sha });
    const me = await call('GET', '/admin/api/session', { cookie: session.cookie });
    expect(me.body).toMatchObject({ signedIn: true, user: { email: 'boss@example.test', roles: ['admin'] }, csrfToken: session.csrf });
    expect(me.body.permissions).toContain('Account | Monitoring | Held | Edit');
  });

  it('refuses sign-in over plain HTTP, and ignores the cookie there', async () => {
    const res = await call('POST', '/admin/api/session', { plain: true, body: { email: 'boss@example.test', password: PASSWORD } });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    const session = await signIn('boss@example.test');
    expect((await call('GET', '/admin/api/overview', { plain: true, cookie: session.cookie })).status).toBe(401);
    expect((await call('GET', '/console/', { plain: true })).status).toBe(403);
  });

  it('refuses an oversize sign-in body before reading it as credentials, in the admin error format', async () => {
    const res = await call('POST', '/admin/api/session', { body: { email: 'boss@example.test', password: 'x'.repeat(300 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: 'too_large' } });
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('serves the console over HTTPS with a content security policy', async () => {
    const res = await call('GET', '/console/');
    expect(res.status).toBe(200);
    expect(res.body.text).toContain('<div id="root">');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await call('GET', '/console')).status).toBe(200);
  });

  it('refuses a wrong password, then locks the account out even for the right one', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', '/admin/api/session', { body: { email: 'locked@example.test', password: 'wrong password' } });
      expect(res).toMatchObject({ status: 401, body: { error: { code: 'auth_invalid_grant' } } });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const locked = await call('POST', '/admin/api/session', { body: { email: 'locked@example.test', password: PASSWORD } });
    expect(locked).toMatchObject({ status: 429, body: { error: { code: 'auth_locked_out' } } });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('needs the session’s CSRF token on every change, and signs out', async () => {
    const session = await signIn('boss@example.test');
    const other = await signIn('boss@example.test');
    const body = { ids: ['no-such-message'] };
    expect(await call('POST', '/admin/api/held/release', { cookie: session.cookie, body })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await call('POST', '/admin/api/held/release', { cookie: session.cookie, csrf: other.csrf, body })).status).toBe(403);
    const ok = await call('POST', '/admin/api/held/release', { cookie: session.cookie, csrf: session.csrf, body });
    expect(ok).toMatchObject({ status: 200, body: { results: [{ id: 'no-such-message', result: 'not_found' }] } });
    expect((await call('DELETE', '/admin/api/session', { cookie: session.cookie })).status).toBe(403);
    const out = await call('DELETE', '/admin/api/session', { cookie: session.cookie, csrf: session.csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-mailgate-console=; Max-Age=0/);
    expect((await call('GET', '/admin/api/session', { cookie: session.cookie })).body).toMatchObject({ signedIn: false });
    expect((await call('GET', '/admin/api/overview', { cookie: session.cookie })).status).toBe(401);
    expect((await call('GET', '/admin/api/overview', { cookie: other.cookie })).status).toBe(200);
  });

  it('ends a session after the idle time, and after the absolute time however busy', async () => {
    const idle = await signIn('boss@example.test');
    const busy = await signIn('boss@example.test');
    try {
      for (let minutes = 5; minutes <= 55; minutes += 5) {
        offset = minutes * 60_000;
        expect((await call('GET', '/admin/api/overview', { cookie: busy.cookie })).status).toBe(200);
      }
      expect((await call('GET', '/admin/api/overview', { cookie: idle.cookie })).status).toBe(401);
      offset = 61 * 60_000;
      expect((await call('GET', '/admin/api/overview', { cookie: busy.cookie })).status).toBe(401);
    } finally {
      offset = 0;
    }
  });

  it('enforces roles on the server: a tracking user reads tracking but not the held queue', async () => {
    const session = await signIn('watcher@example.test');
    expect((await call('GET', '/admin/api/overview', { cookie: session.cookie })).status).toBe(200);
    expect(await call('GET', '/admin/api/held', { cookie: session.cookie })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const release = await call('POST', '/admin/api/held/release', { cookie: session.cookie, csrf: session.csrf, body: { ids: ['x'] } });
    expect(release.status).toBe(403);
  });
});

describe('console data', () => {
  it('counts what happened per minute and per way in, and searches by status and dialect in either order', async () => {
    const keys = await gw.user('writer@example.test', ['user']);
    for (const n of [1, 2, 3]) {
      const body = JSON.stringify({ data: [{ to: [{ emailAddress: 'boss@example.test' }], subject: `overview ${n}`, plainBody: { content: 'x' } }] });
      expect((await mcPost(gw.url, keys, '/api/email/send-email', body)).status).toBe(200);
    }
    // The three are delivered to a local mailbox; then one deferred delivery is all that waits.
    await waitFor(async () => (await gw.server.gateway.store.queueDepth()).waiting === 0, 'local deliveries');
    const deferredAt = Date.now() - 60_000;
    await storeDeferredMessage(gw.server.gateway.store, 'waiting later', 'later@remote.test', deferredAt);
    const session = await signIn('boss@example.test');
    const overview = (await call('GET', '/admin/api/overview', { cookie: session.cookie })).body as {
      lastHour: { bucketMs: number; points: Array<{ accepted: number }> };
      lastWeek: { points: unknown[] };
      dialects: Array<{ source: string; count: number }>;
      queue: { waiting: number; oldestReceivedAt: number | null };
    };
    expect(overview.lastHour.bucketMs).toBe(60_000);
    expect(overview.lastHour.points).toHaveLength(60);
    expect(overview.lastWeek.points).toHaveLength(168);
    expect(overview.lastHour.points.reduce((sum, p) => sum + p.accepted, 0)).toBe(4);
    expect(overview.dialects).toEqual([{ source: 'mimecast', count: 4 }]);
    expect(overview.queue).toEqual({ waiting: 1, oldestReceivedAt: deferredAt });

    const search = (criteria: Record<string, unknown>) => call('POST', '/admin/api/tracking/search', { cookie: session.cookie, csrf: session.csrf, body: criteria });
    const oldest = await search({ subject: 'overview', dialect: 'mimecast', order: 'asc', pageSize: 2 });
    const items = oldest.body.items as Array<{ subject: string; source: string }>;
    expect(items.map((i) => i.subject)).toEqual(['overview 1', 'overview 2']);
    expect(items[0]?.source).toBe('mimecast');
    const rest = await search({ subject: 'overview', order: 'asc', pageSize: 2, pageToken: oldest.body.nextPageToken });
    expect((rest.body.items as Array<{ subject: string }>).map((i) => i.subject)).toEqual(['overview 3']);
    expect((await search({ subject: 'overview', dialect: 'graph' })).body.total).toBe(0);
    expect((await search({ subject: 'overview', status: 'held' })).body.total).toBe(0);
    expect(await search({ status: 'lost' })).toMatchObject({ status: 400, body: { error: { field: 'status' } } });
  });
});
