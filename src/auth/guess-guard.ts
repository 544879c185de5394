/**
 * The one guard in front of every password and client-secret check (Graph password grant, the three
 * token endpoints' client secrets, the LINE WORKS login page, SMTP AUTH, and the console login to
 * come). Failed guesses are counted per account and per client address in the shared store, so
 * every process on one database sees the same counts. Past a few failures an account must pause
 * before its next try (doubling each time); at the limit it is locked out, and while it is, even
 * the right password is refused before any hashing is spent. A success clears the account's count;
 * an address's count only lapses, or one good password would launder a spray across accounts.
 */
import type { Logger } from 'pino';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { isMailgateError, MailgateError } from '../core/errors.js';
import type { GuessCounters } from '../core/guess-counters.js';
import type { Clock } from '../core/ports.js';
import { StoreRateLimiter } from './store-rate-limiter.js';

/** The ways in whose secrets are guarded, as they appear in logs. */
export type GuessWay =
  | 'graph-password'
  | 'graph-client-secret'
  | 'works-client-secret'
  | 'mimecast-client-secret'
  | 'works-login'
  | 'smtp-auth'
  | 'console-login';

/** One guess: whose secret (a user's email or an app's client id), from where, through which way in. */
export interface Guess {
  kind: 'user' | 'client';
  account: string;
  ip: string;
  way: GuessWay;
}

export interface GuessLimits {
  maxFailures: number;
  ipMaxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
  /** 0 = no pauses, only the lockout. */
  backoffMs: number;
}

export interface GuessGuard {
  /**
   * Runs `verify` only when the account and address may guess now (else `auth_locked_out`); a
   * wrong secret is counted and logged, a right one clears the account's count and pause.
   */
  attempt<T>(guess: Guess, verify: () => Promise<T>): Promise<T>;
}

interface Counted {
  failures: number;
  lockedMs: number;
}

/** A refusal before checking: the account or address is locked out or must pause. */
export class GuessRefused extends MailgateError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    field: string,
  ) {
    super('auth_locked_out', message, field);
  }
}

/** The failures a person's typos get before pauses start. */
const FREE_FAILURES = 2;

/** Core codes that mean "wrong secret", as authenticateUser and authenticateClient throw them. */
const WRONG_SECRET = new Set(['auth_invalid_grant', 'auth_invalid_client']);

const accountKey = (guess: Guess): string => `${guess.kind}:${guess.account.trim().toLowerCase()}`;

export function createGuessGuard(deps: { counters: GuessCounters; clock: Clock; log: Logger; limits: GuessLimits }): GuessGuard {
  const { counters, clock, log, limits } = deps;
  const common = { counters, clock, duration: limits.windowSeconds, blockDuration: limits.lockoutSeconds };
  // points = max - 1: the library refuses (and blocks) the consume that goes past points, which is
  // then the max-th failure; a blocked key holds points + 1 = max until the lockout ends.
  const accounts = new StoreRateLimiter({ ...common, keyPrefix: 'guess-account', points: limits.maxFailures - 1 });
  const addresses = new StoreRateLimiter({ ...common, keyPrefix: 'guess-ip', points: limits.ipMaxFailures - 1 });
  const pauses = new StoreRateLimiter({ counters, clock, keyPrefix: 'guess-pause', points: 0, duration: 1 });

  const field = (guess: Guess) => (guess.kind === 'client' ? 'client_secret' : 'password');
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  async function check(guess: Guess): Promise<void> {
    const key = accountKey(guess);
    const [account, address, pause] = await Promise.all([accounts.get(key), addresses.get(guess.ip), pauses.get(key)]);
    const who = { account: guess.account, ip: guess.ip, way: guess.way };
    if (account && account.consumedPoints >= limits.maxFailures) {
      log.info({ ...who, retryAfterSeconds: seconds(account.msBeforeNext) }, 'sign-in refused: account locked out');
      throw new GuessRefused('The account is locked after too many failed sign-in attempts; try again later', seconds(account.msBeforeNext), field(guess));
    }
    if (address && address.consumedPoints >= limits.ipMaxFailures) {
      log.info({ ...who, retryAfterSeconds: seconds(address.msBeforeNext) }, 'sign-in refused: address locked out');
      throw new GuessRefused('Too many failed sign-in attempts from this address; try again later', seconds(address.msBeforeNext), field(guess));
    }
    if (pause && pause.consumedPoints > 0 && pause.msBeforeNext > 0) {
      throw new GuessRefused(`Too many failed sign-in attempts; wait ${seconds(pause.msBeforeNext)} s before trying again`, seconds(pause.msBeforeNext), field(guess));
    }
  }

  /** The library rejects a consume past the limit with its result, and a store failure with an Error. */
  async function count(limiter: StoreRateLimiter, key: string): Promise<Counted> {
    try {
      const res = await limiter.consume(key);
      return { failures: res.consumedPoints, lockedMs: 0 };
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { failures: outcome.consumedPoints, lockedMs: outcome.msBeforeNext };
      throw outcome;
    }
  }

  /**
   * Counts the guess before its secret is checked, so that guesses sent in parallel cannot all pass
   * `check` before the first failure is recorded: only the ones within the limit are verified.
   */
  async function reserve(guess: Guess): Promise<{ account: Counted; address: Counted }> {
    const [account, address] = await Promise.all([count(accounts, accountKey(guess)), count(addresses, guess.ip)]);
    if (account.failures > limits.maxFailures || address.failures > limits.ipMaxFailures) {
      const wait = seconds(Math.max(account.lockedMs, address.lockedMs, 1000));
      log.info({ account: guess.account, ip: guess.ip, way: guess.way, retryAfterSeconds: wait }, 'sign-in refused: too many guesses in flight');
      throw new GuessRefused('Too many failed sign-in attempts; try again later', wait, field(guess));
    }
    return { account, address };
  }

  async function failed(guess: Guess, counted: { account: Counted; address: Counted }): Promise<void> {
    const { account, address } = counted;
    const key = accountKey(guess);
    const who = { account: guess.account, ip: guess.ip, way: guess.way };
    log.warn({ ...who, accountFailures: account.failures, addressFailures: address.failures }, 'sign-in failed');
    if (account.lockedMs > 0) log.warn({ ...who, lockout: 'account', seconds: seconds(account.lockedMs) }, 'sign-in lockout');
    if (address.lockedMs > 0) log.warn({ ...who, lockout: 'address', seconds: seconds(address.lockedMs) }, 'sign-in lockout');
    const extra = account.failures - FREE_FAILURES;
    if (account.lockedMs === 0 && limits.backoffMs > 0 && extra > 0) {
      const pauseMs = Math.min(limits.backoffMs * 2 ** (extra - 1), limits.lockoutSeconds * 1000);
      await pauses.block(key, pauseMs / 1000);
    }
  }

  /** A right secret: the account starts afresh and the address gets its guess back. */
  async function succeeded(guess: Guess): Promise<void> {
    const key = accountKey(guess);
    await Promise.all([accounts.delete(key), pauses.delete(key), addresses.reward(guess.ip, 1)]);
  }

  /** Neither right nor wrong (the store failed, the request was malformed): the guess did not count. */
  async function refund(guess: Guess): Promise<void> {
    await Promise.all([accounts.reward(accountKey(guess), 1), addresses.reward(guess.ip, 1)]);
  }

  return {
    async attempt(guess, verify) {
      await check(guess);
      const counted = await reserve(guess);
      let result: Awaited<ReturnType<typeof verify>>;
      try {
        result = await verify();
      } catch (error) {
        if (isMailgateError(error) && WRONG_SECRET.has(error.code)) await failed(guess, counted);
        else await refund(guess);
        throw error;
      }
      await succeeded(guess);
      return result;
    },
  };
}
