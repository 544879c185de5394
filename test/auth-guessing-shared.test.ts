/**
 * The guess guard's counts beyond one way in: pauses that double, the per-address lockout, the
 * log lines (never the secret), no password check while locked, and two gateway processes'
 * worth of gateways on one PostgreSQL database sharing one count.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MailgateError } from '../src/core/errors.js';
import { postgresBackend } from './helpers/backends.js';
import { movableClock, PASSWORD, startGuessingFixture, type GuessingFixture } from './helpers/guessing.js';

const running: GuessingFixture[] = [];
async function start(...args: Parameters<typeof startGuessingFixture>): Promise<GuessingFixture> {
  const f = await startGuessingFixture(...args);
  running.push(f);
  return f;
}
afterEach(async () => {
  // Stop the second gateway on a shared database before the first, which drops it.
  while (running.length > 0) {
    const f = running.pop() as GuessingFixture;
    expect(await f.gw.countRows('messages')).toBe(0);
    await f.stop();
  }
});

describe('guess guard', () => {
  it('makes an account wait after its free failures, doubling the wait each time', async () => {
    const f = await start({ MAILGATE_AUTH_MAX_FAILURES: '6', MAILGATE_AUTH_BACKOFF_MS: '60000' });
    await f.user('eve@example.test');
    const app = await f.app();
    const guess = (password: string) => f.graphPassword(app, 'eve@example.test', password);
    // Two typos cost nothing: the third try is checked at once.
    expect((await guess('typo 1')).body.error_codes).toEqual([50126]);
    expect((await guess('typo 2')).body.error_codes).toEqual([50126]);
    expect((await guess('typo 3')).body.error_codes).toEqual([50126]);
    const paused = await guess(PASSWORD);
    expect(paused.body.error_codes).toEqual([50053]);
    expect(paused.headers.get('retry-after')).toBe('60');
    f.clock.advance(61_000);
    expect((await guess('typo 4')).body.error_codes).toEqual([50126]);
    // The fourth failure waits 120 s: 61 s later it is still refused, without counting.
    f.clock.advance(61_000);
    expect((await guess(PASSWORD)).body.error_codes).toEqual([50053]);
    f.clock.advance(60_000);
    expect((await guess(PASSWORD)).status).toBe(200);
  });

  it('locks a client address after its failures across accounts; a success elsewhere does not clear it', async () => {
    const f = await start({ MAILGATE_AUTH_IP_MAX_FAILURES: '4', MAILGATE_AUTH_MAX_FAILURES: '10' });
    const app = await f.app();
    for (const name of ['a1', 'a2', 'ok']) await f.user(`${name}@example.test`);
    expect((await f.graphPassword(app, 'a1@example.test', 'x')).status).toBe(400);
    expect((await f.graphPassword(app, 'ok@example.test', PASSWORD)).status).toBe(200);
    expect((await f.graphPassword(app, 'a2@example.test', 'x')).status).toBe(400);
    expect((await f.graphPassword(app, 'nobody@example.test', 'x')).status).toBe(400);
    expect((await f.graphPassword(app, 'a1@example.test', 'y')).body.error_codes).toEqual([50126]);
    // Four failures from 127.0.0.1: every account is refused from here, the right password too.
    const locked = await f.graphPassword(app, 'ok@example.test', PASSWORD);
    expect(locked.body.error_codes).toEqual([50053]);
    expect(String(locked.body.error_description)).toContain('from this address');
    f.clock.advance(900_000 + 1000);
    expect((await f.graphPassword(app, 'ok@example.test', PASSWORD)).status).toBe(200);
  });

  it('does not check the secret at all while locked', async () => {
    const f = await start();
    const guard = f.gw.server.gateway.guesses;
    const guess = { kind: 'user', account: 'zed@example.test', ip: '192.0.2.7', way: 'console-login' } as const;
    const wrong = () => Promise.reject(new MailgateError('auth_invalid_grant', 'The user name or password is incorrect'));
    for (let i = 0; i < 3; i++) await expect(guard.attempt(guess, wrong)).rejects.toMatchObject({ code: 'auth_invalid_grant' });
    let checked = 0;
    await expect(guard.attempt(guess, async () => ++checked)).rejects.toMatchObject({ code: 'auth_locked_out' });
    expect(checked).toBe(0);
    f.clock.advance(900_000 + 1000);
    await expect(guard.attempt(guess, async () => ++checked)).resolves.toBe(1);
  });

  it('checks no more secrets than the limit when guesses arrive in parallel', async () => {
    const f = await start({ MAILGATE_AUTH_MAX_FAILURES: '5', MAILGATE_AUTH_IP_MAX_FAILURES: '1000' });
    const guard = f.gw.server.gateway.guesses;
    const guess = { kind: 'user', account: 'par@example.test', ip: '192.0.2.8', way: 'console-login' } as const;
    let checked = 0;
    const wrong = async () => {
      checked += 1;
      throw new MailgateError('auth_invalid_grant', 'The user name or password is incorrect');
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => guard.attempt(guess, wrong)));
    const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as MailgateError).code : 'accepted'));
    expect(checked).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 'auth_invalid_grant')).toHaveLength(checked);
    expect(codes.filter((c) => c === 'auth_locked_out')).toHaveLength(40 - checked);
  });

  it('logs each failure and lockout with account, address and way in, never the secret', async () => {
    const f = await start();
    await f.user('fay@example.test');
    const app = await f.app();
    const wrong = ['Sesame-Open-1', 'Sesame-Open-2', 'Sesame-Open-3'];
    for (const password of wrong) await f.graphPassword(app, 'fay@example.test', password);
    await f.graphToken({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: 'Secret-Guess-9', scope: '.default' });
    await f.graphPassword(app, 'fay@example.test', PASSWORD);

    const failures = f.logs.filter((l) => l.msg === 'sign-in failed');
    expect(failures.filter((l) => l.way === 'graph-password')).toHaveLength(3);
    for (const line of failures.filter((l) => l.way === 'graph-password')) {
      expect(line).toMatchObject({ account: 'fay@example.test', ip: '127.0.0.1', level: 40 });
    }
    expect(failures.find((l) => l.way === 'graph-client-secret')).toMatchObject({ account: app.clientId, ip: '127.0.0.1' });
    expect(f.logs.filter((l) => l.msg === 'sign-in lockout')).toEqual([
      expect.objectContaining({ account: 'fay@example.test', ip: '127.0.0.1', way: 'graph-password', lockout: 'account', seconds: 900 }),
    ]);
    expect(f.logs.find((l) => l.msg === 'sign-in refused: account locked out')).toMatchObject({ account: 'fay@example.test', ip: '127.0.0.1' });
    for (const secret of [...wrong, 'Secret-Guess-9', PASSWORD, app.clientSecret]) expect(f.logText()).not.toContain(secret);
  });
});

describe('two gateways on one PostgreSQL database', () => {
  it('share the count: failures at gateway 1 lock the account out at gateway 2', async () => {
    const clock = movableClock();
    const one = await start({}, { backend: postgresBackend, clock });
    // The same data dir shares the master key that seals the token signing keys.
    const two = await start(one.gw.databaseEnv, { backend: postgresBackend, clock, dataDir: one.gw.dataDir });
    await one.user('gus@example.test');
    const app = await one.app();
    expect((await one.graphPassword(app, 'gus@example.test', 'w1')).status).toBe(400);
    expect((await two.graphPassword(app, 'gus@example.test', 'w2')).status).toBe(400);
    expect((await one.graphPassword(app, 'gus@example.test', 'w3')).status).toBe(400);
    expect((await two.graphPassword(app, 'gus@example.test', PASSWORD)).body.error_codes).toEqual([50053]);
    expect((await one.worksSignIn(app.clientId, 'gus@example.test', PASSWORD)).status).toBe(429);
    clock.advance(900_000 + 1000);
    expect((await two.graphPassword(app, 'gus@example.test', PASSWORD)).status).toBe(200);
  });
});
