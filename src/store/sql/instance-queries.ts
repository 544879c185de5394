/** Instances and their heartbeats, timed by the database's clock (docs/leases.md). */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { WriteBatcher } from '../group-commit.js';
import type { Database } from '../schema.js';
import type { InstanceStore } from '../../core/storage/instance-store.js';

const RELEASED = { lease_owner: null, lease_until: null } as const;

/**
 * `now`: the database's clock in ms. Processes on several hosts compare heartbeats on one clock,
 * so a host whose clock runs ahead never takes a live process's leases.
 */
export function instanceQueries(db: Kysely<Database>, writes: WriteBatcher, now: RawBuilder<number>, onReleased: () => void): InstanceStore {
  return {
    async beat(instance) {
      const row = { id: instance.id, host: instance.host, pid: instance.pid, started_at: instance.startedAt };
      // Not durable: a beat lost in a crash is a beat missed, which is what a crash is.
      await writes.run(
        (trx) =>
          trx
            .insertInto('instances')
            .values({ ...row, heartbeat_at: now })
            .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, heartbeat_at: now }))
            .execute(),
        { durable: false },
      );
    },
    async getInstance(id) {
      const row = await db
        .selectFrom('instances')
        .select(['id', 'host', 'pid', 'started_at', sql<number>`${now} - heartbeat_at`.as('silent_ms')])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { id: row.id, host: row.host, pid: Number(row.pid), startedAt: Number(row.started_at), silentMs: Number(row.silent_ms) };
    },
    async takeOverSilentInstances(silentMs) {
      return writes.run(async (trx) => {
        const silent = await trx.selectFrom('instances').select('id').where('heartbeat_at', '<', sql<number>`${now} - ${silentMs}`).execute();
        const out = [];
        for (const { id } of silent) {
          const result = await trx.updateTable('recipients').set(RELEASED).where('lease_owner', '=', id).executeTakeFirst();
          await trx.deleteFrom('instances').where('id', '=', id).execute();
          out.push({ id, released: Number(result.numUpdatedRows) });
        }
        // Inside the transaction, so that its commit wakes the other processes' workers too.
        if (out.some((t) => t.released > 0)) onReleased();
        return out;
      });
    },
    async removeInstance(id) {
      await writes.run((trx) => trx.deleteFrom('instances').where('id', '=', id).execute());
    },
    async releaseAllLeases() {
      const result = await writes.run((trx) => trx.updateTable('recipients').set(RELEASED).where('lease_owner', 'is not', null).executeTakeFirst());
      return Number(result.numUpdatedRows);
    },
  };
}
