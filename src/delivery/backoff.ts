/** The retry schedule as data: when a deferred recipient is tried again, and when it gives up. */

/** Used only when a schedule is empty: retrying at once would spin the worker against the remote. */
const FALLBACK_STEP_SECONDS = 60;

/**
 * When to try again after `attemptsSoFar` failed attempts (1 after the first failure): the n-th
 * failure waits `schedule[n - 1]` seconds and the last step repeats. Times are epoch milliseconds.
 */
export function nextAttemptAt(schedule: readonly number[], attemptsSoFar: number, now: number): number {
  const index = Math.min(Math.max(attemptsSoFar - 1, 0), schedule.length - 1);
  const seconds = schedule[index] ?? FALLBACK_STEP_SECONDS;
  return now + seconds * 1000;
}

/** True once a message's queue lifetime is over; a temporary failure then becomes a bounce. */
export function shouldExpire(now: number, expiresAt: number): boolean {
  return now >= expiresAt;
}

export type RetryDecision = { kind: 'retry'; at: number } | { kind: 'expire' };

/**
 * What to do after a temporary failure. The retry is pulled in to `expiresAt` when the next step
 * would overshoot it, so the last attempt happens at the deadline and the bounce is not late by a
 * whole (often hours-long) step.
 */
export function retryDecision(
  schedule: readonly number[],
  attemptsSoFar: number,
  now: number,
  expiresAt: number,
): RetryDecision {
  if (shouldExpire(now, expiresAt)) return { kind: 'expire' };
  return { kind: 'retry', at: Math.min(nextAttemptAt(schedule, attemptsSoFar, now), expiresAt) };
}
