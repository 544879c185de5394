/** Rate-limit counters in the database, so that every gateway process counts against one budget. */
import { decideRate } from '../../core/rate-limit.js';
import type { WriteBatcher } from '../group-commit.js';
import type { Store } from '../../core/storage/store.js';

export type RateLimitQueries = Pick<Store, 'takeRateToken'>;

export function rateLimitQueries(writes: WriteBatcher): RateLimitQueries {
  return {
    async takeRateToken(key, now, limit, windowMs) {
      // One atomic upsert: concurrent processes serialise on the key's row, so no request is uncounted.
      const row = await writes.run((trx) =>
        trx
          .insertInto('rate_limits')
          .values({ key, window_start: now, count: 1 })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => {
              const expired = eb('rate_limits.window_start', '<=', now - windowMs);
              return {
                window_start: eb.case().when(expired).then(now).else(eb.ref('rate_limits.window_start')).end(),
                count: eb.case().when(expired).then(1).else(eb('rate_limits.count', '+', 1)).end(),
              };
            }),
          )
          .returning(['window_start', 'count'])
          .executeTakeFirstOrThrow(),
      );
      return decideRate(Number(row.count), Number(row.window_start), limit, windowMs, now);
    },
  };
}
