/**
 * The LINE WORKS login page against other sites: the POST needs the form's CSRF token with the
 * cookie it was issued with and a same-origin (or absent) Origin; no refusal issues a code. Every
 * HTML answer carries the framing, CSP, referrer and sniffing headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, REDIRECT, startGuessingFixture, type GuessingFixture } from './helpers/guessing.js';
import { loadLoginForm, type LoginForm } from './helpers/works.js';

let f: GuessingFixture;
let app: { clientId: string; clientSecret: string };
let authorizeUrl: string;
const query = () => new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT, scope: 'mail', response_type: 'code', state: 's' });

beforeAll(async () => {
  f = await startGuessingFixture();
  await f.user('hal@example.test');
  app = await f.app();
  authorizeUrl = `${f.gw.url}/works/oauth2/v2.0/authorize`;
});
afterAll(async () => {
  expect(await f.gw.countRows('messages')).toBe(0);
  await f.stop();
});

function post(form: LoginForm, over: { fields?: Record<string, string>; cookie?: string; origin?: string | null } = {}): Promise<Response> {
  const origin = over.origin === undefined ? new URL(authorizeUrl).origin : over.origin;
  return fetch(authorizeUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...((over.cookie ?? form.cookie) ? { Cookie: over.cookie ?? form.cookie } : {}),
      ...(origin === null ? {} : { Origin: origin }),
    },
    body: new URLSearchParams({ ...form.fields, username: 'hal@example.test', password: PASSWORD, ...over.fields }),
    redirect: 'manual',
  });
}

function expectSecurityHeaders(headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toMatch(/form-action 'self'/);
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

async function expectRefused(res: Response): Promise<void> {
  expect(res.status).toBe(403);
  expect(res.headers.get('location')).toBeNull();
  expect(await res.text()).toContain('Sign-in refused');
  expectSecurityHeaders(res.headers);
  expect(await f.gw.countRows('authorization_codes')).toBe(0);
}

describe('login page CSRF and framing', () => {
  it('serves the form with a token, a strict cookie and the security headers; the form may lead only to us and the registered redirect', async () => {
    const form = await loadLoginForm(authorizeUrl, query());
    expect(form.status).toBe(200);
    expect(form.fields._csrf).toMatch(/\S{20,}/);
    const setCookie = form.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/_csrf=.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expectSecurityHeaders(form.headers);
    expect(form.headers.get('content-security-policy')).toContain("form-action 'self' https://app.example;");
  });

  it('refuses a POST without a token, or without its cookie', async () => {
    const form = await loadLoginForm(authorizeUrl, query());
    const withoutToken = Object.fromEntries(Object.entries(form.fields).filter(([name]) => name !== '_csrf'));
    await expectRefused(await post({ ...form, fields: withoutToken }));
    await expectRefused(await post({ ...form, cookie: '' }));
  });

  it('refuses a token from another form with another cookie', async () => {
    const mine = await loadLoginForm(authorizeUrl, query());
    const theirs = await loadLoginForm(authorizeUrl, query());
    expect(theirs.cookie).not.toBe(mine.cookie);
    await expectRefused(await post(mine, { fields: { _csrf: theirs.fields._csrf as string } }));
    await expectRefused(await post(mine, { fields: { _csrf: 'forged-token' } }));
  });

  it('refuses a cross-origin POST even with a valid token and cookie', async () => {
    const form = await loadLoginForm(authorizeUrl, query());
    await expectRefused(await post(form, { origin: 'https://evil.example' }));
    await expectRefused(await post(form, { origin: 'null' }));
  });

  it('signs in with the form’s own token and cookie, from our origin or with no Origin at all', async () => {
    for (const origin of [undefined, null]) {
      const form = await loadLoginForm(authorizeUrl, query());
      const res = await post(form, { origin });
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location') ?? '').origin).toBe('https://app.example');
    }
    expect(await f.gw.countRows('authorization_codes')).toBe(2);
  });

  it('re-renders a failed sign-in with a fresh token and the same headers', async () => {
    const form = await loadLoginForm(authorizeUrl, query());
    const wrong = await post(form, { fields: { password: 'not it' } });
    expect(wrong.status).toBe(401);
    expectSecurityHeaders(wrong.headers);
    expect(await wrong.text()).toMatch(/name="_csrf" value="\S+"/);
  });
});
