/**
 * Reading the held queue (what the review actions in core/held-review.ts act on): held messages by
 * query, the count per policy, and the log of releases, rejections and expiries with the message
 * each one acted on.
 */
import type { AuditEntry, HoldQuery, HoldRecord, InboundStore } from '../core/storage/inbound-store.js';

/** The audit actions of held review, as the store records them. */
const REVIEW_ACTIONS = ['hold_release', 'hold_reject', 'hold_expire'];

export interface HeldQueue {
  list(query: HoldQuery): Promise<{ total: number; holds: HoldRecord[] }>;
  /** Held messages per policy. */
  summary(): Promise<Array<{ policyInfo: string; count: number }>>;
  /** Every review action in the window (by when it was taken), with the hold it acted on. */
  log(window: { start?: number; end?: number }): Promise<Array<{ entry: AuditEntry; hold: HoldRecord }>>;
}

export function createHeldQueue(store: Pick<InboundStore, 'listHolds' | 'holdSummary' | 'listAudit' | 'getHold'>): HeldQueue {
  return {
    list: (query) => store.listHolds(query),
    summary: () => store.holdSummary(),
    async log(window) {
      const { entries } = await store.listAudit({ actions: REVIEW_ACTIONS, ...window, offset: 0, limit: 100_000 });
      const acted: Array<{ entry: AuditEntry; hold: HoldRecord }> = [];
      for (const entry of entries) {
        const hold = await store.getHold(entry.target);
        if (hold) acted.push({ entry, hold });
      }
      return acted;
    },
  };
}
