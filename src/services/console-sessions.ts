/**
 * Console sign-in: a mailgate user's password (scrypt, behind the shared guessing limits), then a
 * session whose random token lives only in the browser's cookie; the store keeps its SHA-256. The
 * CSRF token is derived from the session token (a different hash), so it is bound to the session,
 * needs no storage, and cannot be computed from a copy of the database (docs/console.md).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { GuessGuard } from '../auth/guess-guard.js';
import { authenticateUser } from '../auth/passwords.js';
import type { ConsoleConfig } from '../config/console-options.js';
import type { Clock } from '../core/ports.js';
import type { ConsoleStore } from '../core/storage/console-store.js';
import type { Store, UserRecord } from '../core/storage/store.js';

export interface ConsoleSession {
  user: UserRecord;
  csrfToken: string;
}

export interface ConsoleSessions {
  /** Checks the password (throttled per account and address); answers the new session's token. */
  signIn(email: string, password: string, ip: string): Promise<ConsoleSession & { token: string }>;
  /** The session of a cookie token while neither idle nor past its end; records the activity. */
  resolve(token: string): Promise<ConsoleSession | undefined>;
  signOut(token: string): Promise<void>;
  /** Whether `sent` is the CSRF token of the session `token`. */
  csrfMatches(token: string, sent: string): boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const csrfOf = (token: string) => sha256(`mailgate-console-csrf:${token}`);

type Deps = {
  store: Pick<Store, 'getUserByEmail' | 'getUserPassword' | 'getUserById' | keyof ConsoleStore>;
  guesses: GuessGuard;
  clock: Clock;
  config: ConsoleConfig;
};

export function createConsoleSessions({ store, guesses, clock, config }: Deps): ConsoleSessions {
  const idleMs = config.consoleIdleSeconds * 1000;
  return {
    async signIn(email, password, ip) {
      const user = await guesses.attempt({ kind: 'user', account: email, ip, way: 'console-login' }, () => authenticateUser(store, email, password));
      const now = clock.now();
      await store.deleteStaleConsoleSessions(now, now - idleMs);
      const token = randomBytes(32).toString('base64url');
      await store.createConsoleSession({
        tokenHash: sha256(token),
        userId: user.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + config.consoleSessionSeconds * 1000,
      });
      return { token, user, csrfToken: csrfOf(token) };
    },
    async resolve(token) {
      const hash = sha256(token);
      const session = await store.getConsoleSession(hash);
      const now = clock.now();
      if (!session) return undefined;
      if (session.expiresAt <= now || session.lastSeenAt + idleMs <= now) {
        await store.deleteConsoleSession(hash);
        return undefined;
      }
      const user = await store.getUserById(session.userId);
      if (!user) return undefined;
      // A write per request would be a write per poll; a minute's precision is plenty for idling.
      if (now - session.lastSeenAt >= 60_000) await store.touchConsoleSession(hash, now);
      return { user, csrfToken: csrfOf(token) };
    },
    async signOut(token) {
      await store.deleteConsoleSession(sha256(token));
    },
    csrfMatches(token, sent) {
      const expected = Buffer.from(csrfOf(token));
      const given = Buffer.from(sent);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
