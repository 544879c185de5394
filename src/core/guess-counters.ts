/** The port for counting failed sign-in guesses in a store that every gateway process shares. */

/** One counter: points so far and when they lapse (epoch ms; null = never). */
export interface GuessCounterRow {
  points: number;
  expire: number | null;
}

export interface GuessCounters {
  /**
   * Adds `points` to the key's counter in one atomic statement. A counter past its expiry (or any
   * counter, with `force`) restarts at `points` and expires at `expire`.
   */
  upsertGuessCounter(key: string, points: number, expire: number | null, now: number, force: boolean): Promise<GuessCounterRow>;
  /** The live counter, or undefined when it has none or it lapsed. */
  getGuessCounter(key: string, now: number): Promise<GuessCounterRow | undefined>;
  /** Forgets the counter; true when one existed. */
  deleteGuessCounter(key: string): Promise<boolean>;
}
