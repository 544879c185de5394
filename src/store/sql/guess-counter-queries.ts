/** Failed-guess counters (core/guess-counters.ts) for both backends: one atomic upsert per guess. */
import type { Kysely } from 'kysely';
import type { GuessCounters } from '../../core/guess-counters.js';
import type { WriteBatcher } from '../group-commit.js';
import type { Database } from '../schema.js';

const row = (r: { points: number | string; expire: number | string | null }) => ({
  points: Number(r.points),
  // PostgreSQL returns BIGINT as a string.
  expire: r.expire === null ? null : Number(r.expire),
});

export function guessCounterQueries(db: Kysely<Database>, writes: WriteBatcher): GuessCounters {
  return {
    async upsertGuessCounter(key, points, expire, now, force) {
      // Concurrent processes serialise on the key's row, so no guess goes uncounted.
      const stored = await writes.run((trx) =>
        trx
          .insertInto('guess_counters')
          .values({ key, points, expire })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => {
              if (force) return { points, expire };
              const lapsed = eb('guess_counters.expire', '<=', now);
              return {
                points: eb.case().when(lapsed).then(points).else(eb('guess_counters.points', '+', points)).end(),
                expire: eb.case().when(lapsed).then(eb.val(expire)).else(eb.ref('guess_counters.expire')).end(),
              };
            }),
          )
          .returning(['points', 'expire'])
          .executeTakeFirstOrThrow(),
      );
      return row(stored);
    },
    async getGuessCounter(key, now) {
      const found = await db
        .selectFrom('guess_counters')
        .select(['points', 'expire'])
        .where('key', '=', key)
        .where((eb) => eb.or([eb('expire', '>', now), eb('expire', 'is', null)]))
        .executeTakeFirst();
      return found ? row(found) : undefined;
    },
    async deleteGuessCounter(key) {
      const result = await writes.run((trx) => trx.deleteFrom('guess_counters').where('key', '=', key).executeTakeFirst());
      return Number(result.numDeletedRows) > 0;
    },
  };
}
