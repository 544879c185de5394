/**
 * Graph's per app+mailbox throttling (docs/vendor-apis.md#microsoft-graph): a request budget per window, shared between
 * processes when the store can, and a cap on requests in flight, counted per process.
 */
import { MailgateError } from '../../core/errors.js';
import { createSharedRateLimiter } from '../../core/rate-limit.js';
import type { Store } from '../../core/storage/store.js';

export interface GraphThrottle {
  /** Admits one request or throws `rate_limited` with `retryAfterSeconds`; call `release` when it ends. */
  admit(key: string, now: number): Promise<() => void>;
}

/** The 429's `Retry-After`, in whole seconds (at least 1), carried on the error. */
export type ThrottledError = MailgateError & { retryAfterSeconds: number };

function throttled(message: string, retryAfterSeconds: number): ThrottledError {
  return Object.assign(new MailgateError('rate_limited', message), { retryAfterSeconds });
}

export function createGraphThrottle(
  store: Store,
  limits: { requests: number; windowSeconds: number; concurrent: number },
): GraphThrottle {
  const counter = store.capabilities.sharedRateLimits ? store : undefined;
  const limiter = createSharedRateLimiter(counter, limits.requests, limits.windowSeconds * 1000);
  const inFlight = new Map<string, number>();
  return {
    async admit(key, now) {
      const running = inFlight.get(key) ?? 0;
      if (running >= limits.concurrent) {
        throw throttled('Application is over its MailboxConcurrency limit.', 1);
      }
      // Counted before the (possibly shared, asynchronous) budget check, so a burst cannot slip past the cap.
      inFlight.set(key, running + 1);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        const left = (inFlight.get(key) ?? 1) - 1;
        if (left <= 0) inFlight.delete(key);
        else inFlight.set(key, left);
      };
      try {
        const decision = await limiter.take(`graph:${key}`, now);
        if (!decision.allowed) {
          throw throttled('Application is over its request limit.', Math.max(1, Math.ceil(decision.resetMs / 1000)));
        }
      } catch (error) {
        release();
        throw error;
      }
      return release;
    },
  };
}

export function isThrottled(error: unknown): error is ThrottledError {
  return error instanceof MailgateError && typeof (error as Partial<ThrottledError>).retryAfterSeconds === 'number';
}
