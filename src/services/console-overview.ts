/**
 * The console's overview: what happened per minute over the last hour and per hour over the last
 * week (counted from the event log, the store's own record), the delivery queue now, and the split
 * of the last day's messages by way in.
 */
import { EVENT_KIND } from '../core/tracking.js';
import type { Clock } from '../core/ports.js';
import type { ActivityCount, ConsoleStore, QueueDepth } from '../core/storage/console-store.js';
import type { InboundStore } from '../core/storage/inbound-store.js';

/** The series the chart shows, and the event kind each one counts. */
const SERIES = {
  accepted: EVENT_KIND.received,
  delivered: EVENT_KIND.delivered,
  deferred: EVENT_KIND.deferred,
  bounced: EVENT_KIND.bounced,
  held: EVENT_KIND.held,
} as const;
export type SeriesName = keyof typeof SERIES;

export type ActivityPoint = { at: number } & Record<SeriesName, number>;

export interface Activity {
  bucketMs: number;
  points: ActivityPoint[];
}

export interface Overview {
  at: number;
  lastHour: Activity;
  lastWeek: Activity;
  queue: QueueDepth;
  /** Messages currently held for review. */
  held: number;
  /** Messages received in the last 24 hours per way in. */
  dialects: Array<{ source: string; count: number }>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function createConsoleOverview(deps: { store: ConsoleStore & Pick<InboundStore, 'listHolds'>; clock: Clock }) {
  const { store, clock } = deps;
  const names = Object.keys(SERIES) as SeriesName[];

  // Past buckets no longer change (events are stamped when they happen), so the week's completed
  // hours are counted once per hour and only the current bucket on every poll.
  let settled: { last: number; bucketMs: number; counts: ActivityCount[] } | undefined;

  async function counts(first: number, last: number, bucketMs: number): Promise<ActivityCount[]> {
    const kinds = Object.values(SERIES);
    if (bucketMs < HOUR) return store.countActivity(kinds, first * bucketMs, (last + 1) * bucketMs, bucketMs);
    if (settled?.last !== last || settled.bucketMs !== bucketMs) {
      settled = { last, bucketMs, counts: await store.countActivity(kinds, first * bucketMs, last * bucketMs, bucketMs) };
    }
    return [...settled.counts, ...(await store.countActivity(kinds, last * bucketMs, (last + 1) * bucketMs, bucketMs))];
  }

  /** `count` buckets of `bucketMs` ending with the one that holds `now`, oldest first. */
  async function activity(now: number, bucketMs: number, count: number): Promise<Activity> {
    const last = Math.floor(now / bucketMs);
    const first = last - count + 1;
    const counted = await counts(first, last, bucketMs);
    const points: ActivityPoint[] = [];
    for (let b = first; b <= last; b++) {
      const point = { at: b * bucketMs } as ActivityPoint;
      for (const name of names) point[name] = 0;
      points.push(point);
    }
    for (const c of counted) {
      const name = names.find((n) => SERIES[n] === c.kind);
      const point = points[c.bucket - first];
      if (name && point) point[name] += c.count;
    }
    return { bucketMs, points };
  }

  return {
    async overview(): Promise<Overview> {
      const now = clock.now();
      const [lastHour, lastWeek, queue, held, dialects] = await Promise.all([
        activity(now, MINUTE, 60),
        activity(now, HOUR, 7 * 24),
        store.queueDepth(),
        store.listHolds({ status: 'held', offset: 0, limit: 1 }),
        store.countBySource(now - DAY),
      ]);
      return { at: now, lastHour, lastWeek, queue, held: held.total, dialects };
    },
  };
}

export type ConsoleOverview = ReturnType<typeof createConsoleOverview>;
