/**
 * Password and client-secret guessing is throttled at every way in: after the configured failures
 * an account is locked out, the right password is refused while it is, and accepted once the
 * lockout has passed (the gateway's clock is moved, not waited for). Runs on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGuessingFixture, PASSWORD, type GuessingFixture } from './helpers/guessing.js';
import { authPlain, openSmtpWithTls } from './helpers/smtp-raw.js';

const LOCKOUT_MS = 900_000;
let f: GuessingFixture;

beforeAll(async () => {
  f = await startGuessingFixture();
});
afterAll(async () => {
  // No refused guess ever got as far as queueing mail.
  expect(await f.gw.countRows('messages')).toBe(0);
  await f.stop();
});

describe('Graph password grant', () => {
  it('locks the account after 3 wrong passwords, refuses the right one with AADSTS50053, and accepts it after the lockout', async () => {
    await f.user('ann@example.test');
    const app = await f.app();
    for (let i = 0; i < 3; i++) {
      const wrong = await f.graphPassword(app, 'ann@example.test', `guess ${i}`);
      expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_codes: [50126] } });
    }
    const locked = await f.graphPassword(app, 'ann@example.test', PASSWORD);
    expect(locked).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_codes: [50053] } });
    expect(String(locked.body.error_description)).toMatch(/^AADSTS50053: /);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(locked.body.access_token).toBeUndefined();

    f.clock.advance(LOCKOUT_MS + 1000);
    const after = await f.graphPassword(app, 'ann@example.test', PASSWORD);
    expect(after.status).toBe(200);
    expect(after.body.access_token).toEqual(expect.any(String));
  });

  it('clears the account’s count on success', async () => {
    await f.user('ben@example.test');
    const app = await f.app();
    for (let i = 0; i < 2; i++) expect((await f.graphPassword(app, 'ben@example.test', 'nope')).status).toBe(400);
    expect((await f.graphPassword(app, 'ben@example.test', PASSWORD)).status).toBe(200);
    // Without the reset these would be failures 3 and 4: the right password would then be refused.
    for (let i = 0; i < 2; i++) expect((await f.graphPassword(app, 'ben@example.test', 'nope')).body.error_codes).toEqual([50126]);
    expect((await f.graphPassword(app, 'ben@example.test', PASSWORD)).status).toBe(200);
  });
});

describe('client secrets', () => {
  it('Graph: locks an app after 3 wrong secrets, refuses the right one, accepts it after the lockout', async () => {
    const app = await f.app();
    const credentials = (secret: string) => ({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' });
    for (let i = 0; i < 3; i++) {
      expect(await f.graphToken(credentials(`wrong-${i}`))).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000215] } });
    }
    const locked = await f.graphToken(credentials(app.clientSecret));
    expect(locked).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [50053] } });
    expect(locked.body.access_token).toBeUndefined();
    f.clock.advance(LOCKOUT_MS + 1000);
    const after = await f.graphToken(credentials(app.clientSecret));
    expect(after.status).toBe(200);
    expect(after.body.access_token).toEqual(expect.any(String));
  });

  it('LINE WORKS: locks an app after 3 wrong secrets; while locked the grant is not even looked at', async () => {
    const app = await f.app();
    const exchange = (secret: string) => ({ grant_type: 'authorization_code', code: 'no-such-code', client_id: app.clientId, client_secret: secret });
    for (let i = 0; i < 3; i++) expect(await f.worksToken(exchange(`wrong-${i}`))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const locked = await f.worksToken(exchange(app.clientSecret));
    expect(locked).toMatchObject({ status: 429, body: { error: 'invalid_client' } });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(Object.keys(locked.body).sort()).toEqual(['error', 'error_description']);
    f.clock.advance(LOCKOUT_MS + 1000);
    // The secret is accepted again, so the answer is now about the (made-up) code.
    expect(await f.worksToken(exchange(app.clientSecret))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

describe('LINE WORKS login page', () => {
  it('shows 429 with a clear message while locked, issues no code, and signs in after the lockout', async () => {
    await f.user('cho@example.test');
    const app = await f.app();
    for (let i = 0; i < 3; i++) {
      const wrong = await f.worksSignIn(app.clientId, 'cho@example.test', `guess ${i}`);
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('The email or password is incorrect.');
    }
    const locked = await f.worksSignIn(app.clientId, 'cho@example.test', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('location')).toBeNull();
    expect(await locked.text()).toContain('Too many failed sign-in attempts. Try again in 15 minutes.');
    expect(await f.gw.countRows('authorization_codes')).toBe(0);

    f.clock.advance(LOCKOUT_MS + 1000);
    const signedIn = await f.worksSignIn(app.clientId, 'cho@example.test', PASSWORD);
    expect(signedIn.status).toBe(302);
    expect(new URL(signedIn.headers.get('location') ?? '').searchParams.get('code')).toEqual(expect.any(String));
  });
});

describe('SMTP AUTH', () => {
  it('answers 535 5.7.8, closes with 421 after 3 failures on one connection, then 454 4.7.0 while locked, 235 after', async () => {
    await f.user('dee@example.test');
    const smtp = await openSmtpWithTls(f.gw.server.smtpPort);
    expect(await smtp.command(authPlain('dee@example.test', 'guess 1'))).toMatch(/^535 5\.7\.8 /);
    expect(await smtp.command(authPlain('dee@example.test', 'guess 2'))).toMatch(/^535 5\.7\.8 /);
    expect(await smtp.command(authPlain('dee@example.test', 'guess 3'))).toMatch(/^421 4\.7\.0 /);
    await smtp.closed;

    const again = await openSmtpWithTls(f.gw.server.smtpPort);
    expect(await again.command(authPlain('dee@example.test', PASSWORD))).toMatch(/^454 4\.7\.0 .*locked/);
    // Not authenticated: relaying is still refused.
    expect(await again.command('MAIL FROM:<dee@example.test>')).toMatch(/^250/);
    expect(await again.command('RCPT TO:<someone@remote.test>')).toMatch(/^554 5\.7\.1/);
    again.end();

    // The lock is on the account, so it holds at every way in.
    const app = await f.app();
    expect((await f.graphPassword(app, 'dee@example.test', PASSWORD)).body.error_codes).toEqual([50053]);

    f.clock.advance(LOCKOUT_MS + 1000);
    const later = await openSmtpWithTls(f.gw.server.smtpPort);
    expect(await later.command(authPlain('dee@example.test', PASSWORD))).toMatch(/^235 /);
    later.end();
  });
});
