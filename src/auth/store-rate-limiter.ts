/**
 * rate-limiter-flexible over our own store: its RateLimiterPostgres/RateLimiterSQLite would open
 * their own connections and create their own tables, bypassing our migrations, the per-test
 * schemas and the reconnecting Store. This implements the library's documented store contract
 * (`_upsert`, `_get`, `_delete`, `_getRateLimiterRes`) on the Store port's guess counters, with
 * the same SQL semantics as its PostgreSQL limiter, and reads time from our Clock.
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import RateLimiterStoreAbstract from 'rate-limiter-flexible/lib/RateLimiterStoreAbstract.js';
import type { GuessCounterRow, GuessCounters } from '../core/guess-counters.js';
import type { Clock } from '../core/ports.js';

export interface StoreRateLimiterOptions {
  keyPrefix: string;
  /** Points allowed per window; the one past it is refused. */
  points: number;
  /** Window in seconds. */
  duration: number;
  /** Seconds a key stays refused once it went past `points` (0 = only until the window ends). */
  blockDuration?: number;
  counters: GuessCounters;
  clock: Clock;
}

export class StoreRateLimiter extends RateLimiterStoreAbstract {
  private readonly counters: GuessCounters;
  private readonly clock: Clock;

  constructor(options: StoreRateLimiterOptions) {
    const { counters, clock, ...limits } = options;
    super({ ...limits, storeClient: counters });
    this.counters = counters;
    this.clock = clock;
  }

  _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<GuessCounterRow> {
    const now = this.clock.now();
    const expire = msDuration > 0 ? now + Math.round(msDuration) : null;
    return this.counters.upsertGuessCounter(rlKey, points, expire, now, forceExpire);
  }

  async _get(rlKey: string): Promise<GuessCounterRow | null> {
    return (await this.counters.getGuessCounter(rlKey, this.clock.now())) ?? null;
  }

  _delete(rlKey: string): Promise<boolean> {
    return this.counters.deleteGuessCounter(rlKey);
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, row: GuessCounterRow): RateLimiterRes {
    const isFirstInDuration = changedPoints === row.points;
    const consumed = isFirstInDuration ? changedPoints : row.points;
    const msBeforeNext = row.expire === null ? -1 : Math.max(row.expire - this.clock.now(), 0);
    return new RateLimiterRes(Math.max(this.points - consumed, 0), msBeforeNext, consumed, isFirstInDuration);
  }
}
