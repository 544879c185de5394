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
