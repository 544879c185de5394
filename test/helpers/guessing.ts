/**
 * Fixtures for the sign-in guessing tests: a gateway whose clock the test moves (so a lockout ends
 * without waiting), its logs captured, users with passwords and OAuth apps, and one call per way in.
 */
import { captureLogs } from './log-capture.js';
import { registerRedirectUri } from '../../src/auth/authorization-codes.js';
import { addUser } from '../../src/auth/identity.js';
import { createOAuthClient } from '../../src/auth/oauth-clients.js';
import { setUserPassword } from '../../src/auth/passwords.js';
import { tenantIdFor } from '../../src/auth/tenant.js';
import type { Clock } from '../../src/core/ports.js';
import type { Backend } from './backends.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { signInOnLoginPage } from './works.js';

export const PASSWORD = 'correct horse battery';
export const REDIRECT = 'https://app.example/callback';

/** Real time plus an offset the test advances. */
export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export function movableClock(): MovableClock {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

export interface GuessingFixture {
  gw: TestGateway;
  clock: MovableClock;
  /** Every log line the gateway wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw log text, to prove what is never in it. */
  logText(): string;
  user(email: string): Promise<void>;
  app(): Promise<{ clientId: string; clientSecret: string }>;
  graphToken(form: Record<string, string>): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  graphPassword(app: { clientId: string; clientSecret: string }, email: string, password: string): ReturnType<GuessingFixture['graphToken']>;
  worksToken(form: Record<string, string>): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  worksSignIn(clientId: string, email: string, password: string): Promise<Response>;
  stop(): Promise<void>;
}

/** Defaults for tests: 3 failures lock for 15 minutes, no pauses, a generous per-address limit. */
export const TEST_LIMITS = {
  MAILGATE_AUTH_MAX_FAILURES: '3',
  MAILGATE_AUTH_LOCKOUT_SECONDS: '900',
  MAILGATE_AUTH_FAILURE_WINDOW_SECONDS: '900',
  MAILGATE_AUTH_IP_MAX_FAILURES: '1000',
  MAILGATE_AUTH_BACKOFF_MS: '0',
};

export async function startGuessingFixture(
  env: Record<string, string> = {},
  options: { dataDir?: string; backend?: Backend; clock?: MovableClock } = {},
): Promise<GuessingFixture> {
  const clock = options.clock ?? movableClock();
  const captured = captureLogs();
  const gw = await startTestGateway({ ...TEST_LIMITS, ...env }, options.dataDir, options.backend, { log: captured.log, clock });
  const { store } = gw.server.gateway;
  const tenant = tenantIdFor('gateway.test');
  const post = async (url: string, form: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  const fixture: GuessingFixture = {
    gw,
    clock,
    get logs() {
      return captured.lines();
    },
    logText: captured.text,
    async user(email) {
      const user = await addUser(store, { email, roles: ['user'] });
      await setUserPassword(store, user.id, PASSWORD);
    },
    async app() {
      const created = await createOAuthClient(store, { name: 'guessing app', permissions: ['Mail.Send'] });
      await registerRedirectUri(store, created.clientId, REDIRECT, Date.now());
      return { clientId: created.clientId, clientSecret: created.clientSecret };
    },
    graphToken: (form) => post(`${gw.url}/${tenant}/oauth2/v2.0/token`, form),
    graphPassword: (app, email, password) =>
      fixture.graphToken({ grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret, username: email, password, scope: 'Mail.Send' }),
    worksToken: (form) => post(`${gw.url}/works/oauth2/v2.0/token`, form),
    worksSignIn: (clientId, email, password) =>
      signInOnLoginPage(
        `${gw.url}/works/oauth2/v2.0/authorize`,
        new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, scope: 'mail', response_type: 'code', state: 's' }),
        email,
        password,
      ),
    stop: () => gw.stop(),
  };
  return fixture;
}
