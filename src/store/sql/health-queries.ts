/** Queue figures for metrics and the readiness write probe (core/storage/health-store.ts), for both backends. */
import { sql, type Kysely } from 'kysely';
import type { HealthStore } from '../../core/storage/health-store.js';
import type { WriteBatcher } from '../group-commit.js';
import type { Database } from '../schema.js';

// Literals, as in queue-queries.ts: SQLite then uses the partial index `recipients_due`.
const WAITING = [sql.lit('queued'), sql.lit('deferred')];

export function healthQueries(db: Kysely<Database>, writes: WriteBatcher): HealthStore {
  return {
    async queueStats() {
      const counts = await db
        .selectFrom('recipients')
        .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('status', 'in', [...WAITING, sql.lit('held')])
        .groupBy('status')
        .execute();
      const oldest = await db
        .selectFrom('recipients as r')
        .innerJoin('messages as m', 'm.id', 'r.message_id')
        .select((eb) => eb.fn.min<number | string | null>('m.received_at').as('at'))
        .where('r.status', 'in', WAITING)
        .executeTakeFirst();
      const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
      return {
        queued: count('queued'),
        deferred: count('deferred'),
        held: count('held'),
        oldestWaitingAt: oldest?.at === null || oldest?.at === undefined ? undefined : Number(oldest.at),
      };
    },
    probeWrite(name, value) {
      return writes.run(async (trx) => {
        await trx
          .insertInto('settings')
          .values({ name, value })
          .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
          .execute();
        return (await trx.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
      });
    },
  };
}
