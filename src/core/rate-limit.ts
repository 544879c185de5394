/** Fixed-window request counting per key; the window and limit are the caller's policy. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface RateLimiter {
  take(key: string, now: number): RateDecision;
}

export function createRateLimiter(limit: number, windowMs: number): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, now) {
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) {
        window = { start: now, count: 0 };
        windows.set(key, window);
        // Forget idle keys so the map stays as small as the set of active callers.
        if (windows.size > 10_000) {
          for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
        }
      }
      const allowed = window.count < limit;
      if (allowed) window.count += 1;
      return { allowed, limit, remaining: limit - window.count, resetMs: window.start + windowMs - now };
    },
  };
}

/** Counts requests per key in a store that several gateway processes share. */
export interface RateCounter {
  /** Counts one request in the fixed window starting at the key's first request; decides against `limit`. */
  takeRateToken(key: string, now: number, limit: number, windowMs: number): Promise<RateDecision>;
}

/** The decision for a window's counter after this request was counted. */
export function decideRate(count: number, windowStart: number, limit: number, windowMs: number, now: number): RateDecision {
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetMs: windowStart + windowMs - now };
}

/** A limiter whose counts are shared through `counter` when given (many processes), in memory otherwise. */
export function createSharedRateLimiter(
  counter: RateCounter | undefined,
  limit: number,
  windowMs: number,
): { take(key: string, now: number): Promise<RateDecision> } {
  if (!counter) {
    const local = createRateLimiter(limit, windowMs);
    return { take: async (key, now) => local.take(key, now) };
  }
  return { take: (key, now) => counter.takeRateToken(key, now, limit, windowMs) };
}
