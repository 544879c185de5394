/** The sign-in guessing options (auth/guess-guard.ts), declared beside config.ts's OPTIONS and spread into it. */
import { int } from './parsers.js';

export interface GuessingConfig {
  /** Failed password or client-secret guesses per account within the window before it is locked out. */
  authMaxFailures: number;
  /** Failed guesses from one client address (any accounts) within the window before it is locked out. */
  authIpMaxFailures: number;
  /** Seconds over which failed guesses are counted. */
  authFailureWindowSeconds: number;
  /** Seconds a locked-out account or address is refused, even with the right password. */
  authLockoutSeconds: number;
  /** First pause after an account's free failures, doubling with each further one; 0 = none. */
  authBackoffMs: number;
  /** Failed SMTP AUTH commands on one connection before it is closed with 421. */
  smtpAuthFailuresPerConnection: number;
}

export function guessingOptions() {
  // OWASP's authentication guidance: lock after a handful of failures, for minutes, not forever.
  return {
    authMaxFailures: { key: 'authMaxFailures', env: 'MAILGATE_AUTH_MAX_FAILURES', parse: int(1, 1000, 5) },
    authIpMaxFailures: { key: 'authIpMaxFailures', env: 'MAILGATE_AUTH_IP_MAX_FAILURES', parse: int(1, 100_000, 20) },
    authFailureWindowSeconds: { key: 'authFailureWindowSeconds', env: 'MAILGATE_AUTH_FAILURE_WINDOW_SECONDS', parse: int(1, 86_400, 900) },
    authLockoutSeconds: { key: 'authLockoutSeconds', env: 'MAILGATE_AUTH_LOCKOUT_SECONDS', parse: int(1, 86_400, 900) },
    authBackoffMs: { key: 'authBackoffMs', env: 'MAILGATE_AUTH_BACKOFF_MS', parse: int(0, 3_600_000, 1000) },
    smtpAuthFailuresPerConnection: {
      key: 'smtpAuthFailuresPerConnection',
      env: 'MAILGATE_SMTP_AUTH_FAILURES_PER_CONNECTION',
      parse: int(1, 100, 3),
    },
  } as const;
}
