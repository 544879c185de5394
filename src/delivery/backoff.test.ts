import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nextAttemptAt, retryDecision, shouldExpire } from './backoff.js';

const NOW = 1_700_000_000_000;
const SCHEDULE = [60, 300, 900];

describe('nextAttemptAt', () => {
  it.each([
    { attempts: 1, delay: 60 },
    { attempts: 2, delay: 300 },
    { attempts: 3, delay: 900 },
    { attempts: 4, delay: 900 },
    { attempts: 50, delay: 900 },
    // 0 means "nothing failed yet"; it is treated like the first failure rather than indexing -1
    { attempts: 0, delay: 60 },
  ])('after $attempts failed attempts waits $delay s', ({ attempts, delay }) => {
    expect(nextAttemptAt(SCHEDULE, attempts, NOW)).toBe(NOW + delay * 1000);
  });

  it.each([
    { schedule: [10], attempts: 1, delay: 10 },
    { schedule: [10], attempts: 9, delay: 10 },
    { schedule: [0, 5], attempts: 1, delay: 0 },
    { schedule: [], attempts: 1, delay: 60 },
  ])('schedule $schedule, attempt $attempts → $delay s', ({ schedule, attempts, delay }) => {
    expect(nextAttemptAt(schedule, attempts, NOW)).toBe(NOW + delay * 1000);
  });

  it('never goes backwards as attempts grow when the schedule is ascending', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 86_400 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 100 }),
        (steps, attempts) => {
          const schedule = [...steps].sort((a, b) => a - b);
          expect(nextAttemptAt(schedule, attempts + 1, NOW)).toBeGreaterThanOrEqual(nextAttemptAt(schedule, attempts, NOW));
        },
      ),
    );
  });
});

describe('shouldExpire', () => {
  it.each([
    { now: NOW - 1, expiresAt: NOW, expired: false },
    { now: NOW, expiresAt: NOW, expired: true },
    { now: NOW + 1, expiresAt: NOW, expired: true },
  ])('now=$now expiresAt=$expiresAt → $expired', ({ now, expiresAt, expired }) => {
    expect(shouldExpire(now, expiresAt)).toBe(expired);
  });
});

describe('retryDecision', () => {
  it.each([
    { name: 'well before expiry', expiresAt: NOW + 3_600_000, want: { kind: 'retry', at: NOW + 60_000 } },
    { name: 'step overshoots expiry', expiresAt: NOW + 10_000, want: { kind: 'retry', at: NOW + 10_000 } },
    { name: 'at expiry', expiresAt: NOW, want: { kind: 'expire' } },
    { name: 'after expiry', expiresAt: NOW - 1, want: { kind: 'expire' } },
  ])('$name', ({ expiresAt, want }) => {
    expect(retryDecision(SCHEDULE, 1, NOW, expiresAt)).toEqual(want);
  });
});
