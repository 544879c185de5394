/**
 * LINE WORKS user-account tokens: the authorization-code grant through the login page, reusable
 * refresh tokens, the vendor's token JSON (`expires_in` a string), and `mailgate token create`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRedirectUri } from '../src/auth/authorization-codes.js';
import { createOAuthClient } from '../src/auth/oauth-clients.js';
import { PASSWORD, signInOnLoginPage, startWorksFixture, type WorksFixture } from './helpers/works.js';

const execFileAsync = promisify(execFile);
const REDIRECT = 'https://app.example/callback';

let f: WorksFixture;
let app: { clientId: string; clientSecret: string };

beforeAll(async () => {
  f = await startWorksFixture();
  await f.user('alice@example.test', { name: 'Alice' });
  const { store } = f.gw.server.gateway;
  const created = await createOAuthClient(store, { name: 'Works app', permissions: [] });
  await registerRedirectUri(store, created.clientId, REDIRECT, Date.now());
  app = { clientId: created.clientId, clientSecret: created.clientSecret };
});
afterAll(async () => {
  await f.stop();
});

async function tokenRequest(form: Record<string, string>, base = f.base): Promise<{ status: number; body: Record<string, unknown> }> {
  const client = base === f.vendorBase ? f.vendorFetch : fetch;
  const res = await client(`${base}/oauth2/v2.0/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function authorizeQuery(over: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: 'mail', response_type: 'code', state: 'xyz', ...over });
}

/** Signs in on the login page as a browser would; answers the redirect's Location. */
async function signIn(password = PASSWORD): Promise<Response> {
  return signInOnLoginPage(`${f.base}/oauth2/v2.0/authorize`, authorizeQuery(), 'alice@example.test', password);
}

describe('LINE WORKS OAuth', () => {
  it('runs the authorization-code grant through the login page and answers the vendor’s token JSON', async () => {
    const page = await fetch(`${f.base}/oauth2/v2.0/authorize?${authorizeQuery().toString()}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('name="password"');
    expect(html).toContain(`value="${app.clientId}"`);

    const wrong = await signIn('wrong password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('incorrect');

    const redirected = await signIn();
    expect(redirected.status).toBe(302);
    const location = new URL(redirected.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code') ?? '';

    const exchange = { grant_type: 'authorization_code', code, client_id: app.clientId, client_secret: app.clientSecret };
    expect((await tokenRequest({ ...exchange, client_secret: 'wrong' })).body.error).toBe('invalid_client');
    const { status, body } = await tokenRequest(exchange);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: '86400', scope: 'mail' });
    expect((await f.call(body.access_token as string, 'GET', '/users/me/mail/unread-count')).json).toEqual({ count: 0 });

    // A code is good once.
    expect(await tokenRequest(exchange)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // The refresh token stays valid: clients keep it for its 90 days and refresh again and again.
    const refresh = { grant_type: 'refresh_token', refresh_token: body.refresh_token as string, client_id: app.clientId, client_secret: app.clientSecret };
    for (let i = 0; i < 2; i++) {
      const refreshed = await tokenRequest(refresh, f.vendorBase);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ token_type: 'Bearer', expires_in: '86400', scope: 'mail' });
      expect(refreshed.body.refresh_token).toBeUndefined();
      expect((await f.call(refreshed.body.access_token as string, 'GET', '/users/me/mail/mailfolders')).status).toBe(200);
    }
    expect((await tokenRequest({ ...refresh, refresh_token: 'forged' })).body.error).toBe('invalid_grant');
  });

  it('sends codes only to registered redirect URIs and refuses unknown grants and scopes', async () => {
    const unregistered = await fetch(`${f.base}/oauth2/v2.0/authorize?${authorizeQuery({ redirect_uri: 'https://evil.example/cb' }).toString()}`, { redirect: 'manual' });
    expect(unregistered.status).toBe(400);
    expect(unregistered.headers.get('location')).toBeNull();
    const badScope = await fetch(`${f.base}/oauth2/v2.0/authorize?${authorizeQuery({ scope: 'calendar' }).toString()}`, { redirect: 'manual' });
    expect(badScope.status).toBe(302);
    expect(new URL(badScope.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_scope');
    expect((await tokenRequest({ grant_type: 'password', client_id: app.clientId })).body.error).toBe('unsupported_grant_type');
    expect((await tokenRequest({ grant_type: 'authorization_code', client_id: app.clientId })).body.error).toBe('invalid_request');
  });

  it('mailgate token create prints an access and a refresh token that work against the API and the token endpoint', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'token', 'create', '--user', 'alice@example.test', '--scope', 'mail'],
      { cwd: root, env: { ...process.env, MAILGATE_DATA_DIR: f.gw.dataDir, MAILGATE_HOSTNAME: 'gateway.test', ...f.gw.databaseEnv } },
    );
    const printed = JSON.parse(stdout) as Record<string, string>;
    expect(printed).toMatchObject({ token_type: 'Bearer', expires_in: '86400', scope: 'mail', access_token: expect.any(String), refresh_token: expect.any(String) });
    const sent = await f.call(printed.access_token, 'POST', '/users/me/mail', { to: 'kim@example.com', subject: 'From a script' });
    expect(sent.status).toBe(202);
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: printed.refresh_token as string, client_id: 'mailgate-cli' });
    expect(refreshed.status).toBe(200);
    expect((await f.call(refreshed.body.access_token as string, 'GET', '/users/me/mail/unread-count')).status).toBe(200);
  });
});
