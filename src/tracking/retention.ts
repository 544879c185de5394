/** Retention dates as data and pure functions: purge dates are set at receipt and moved when the period changes. */
import type { LitigationHoldRecord } from '../core/storage/tracking-store.js';

export const DAY_MS = 86_400_000;

/** Whole days the current purge date lies after (or, negative, before) the original one. */
export function adjustmentDays(purgeAt: number | null, originalPurgeAt: number | null): number {
  if (purgeAt === null || originalPurgeAt === null) return 0;
  return Math.round((purgeAt - originalPurgeAt) / DAY_MS);
}

/** Whole days from `now` until the purge date; 0 once it has passed. */
export function daysUntil(at: number | null, now: number): number {
  if (at === null) return 0;
  return Math.max(0, Math.ceil((at - now) / DAY_MS));
}

/** What the message's purge date rests on, in words an administrator reads. */
export function purgeBasis(retentionDays: number, holds: readonly LitigationHoldRecord[], purgedAt: number | null): string {
  if (purgedAt !== null) return 'purged';
  if (holds.length > 0) return 'litigation hold';
  return `received date + ${retentionDays} days retention`;
}
