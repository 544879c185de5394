/** Webhook endpoints following the tracking event log, and their delivery log, over any Kysely backend. */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Capabilities } from '../../core/storage/store.js';
import type { LogPosition, WebhookStore } from '../../core/storage/webhook-store.js';
import { sourceKindsOf } from '../../core/webhook-events.js';
import { RELAXED, type WriteBatcher } from '../group-commit.js';
import { toEvent } from '../message-rows.js';
import type { Database } from '../schema.js';
import { toWebhookAttempt, toWebhookEndpoint, webhookAttemptRow, webhookEndpointRow } from '../webhook-rows.js';


function after(position: LogPosition): Expression<SqlBool> {
  return sql<SqlBool>`(tx, id) > (${position.tx}, ${position.id})`;
}

/** Events below the horizon are final: every transaction that could still add one before them has ended. */
const BELOW_HORIZON = sql<SqlBool>`tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

/** Enabled, due, and its lease free, expired, or `owner`'s own (left by this instance's previous life). */
function claimable(eb: ExpressionBuilder<Database, 'webhook_endpoints'>, now: number, owner: string): Expression<SqlBool> {
  return eb.and([
    eb('disabled_at', 'is', null),
    eb('next_attempt_at', '<=', now),
    eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]),
  ]);
}

export function webhookQueries(db: Kysely<Database>, writes: WriteBatcher, capabilities: Capabilities): WebhookStore {
  const final = <T extends { where(condition: Expression<SqlBool>): T }>(query: T): T => (capabilities.logHorizon ? query.where(BELOW_HORIZON) : query);

  return {
    async addWebhookEndpoint(endpoint) {
      const last = await final(db.selectFrom('events').select(['tx', 'id']))
        .orderBy('tx', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const row = webhookEndpointRow(endpoint, { tx: Number(last?.tx ?? 0), id: Number(last?.id ?? 0) });
      await writes.run((trx) => trx.insertInto('webhook_endpoints').values(row).execute());
      return toWebhookEndpoint(row);
    },

    async listWebhookEndpoints() {
      const found = await db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
      return found.map(toWebhookEndpoint);
    },

    async getWebhookEndpoint(id) {
      const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toWebhookEndpoint(row);
    },

    removeWebhookEndpoint(id) {
      return writes.run(async (trx) => {
        await trx.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
        const removed = await trx.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
        return Number(removed.numDeletedRows) === 1;
      });
    },

    async enableWebhookEndpoint(id, now) {
      const updated = await writes.run((trx) =>
        trx
          .updateTable('webhook_endpoints')
          .set({ disabled_at: null, disabled_reason: null, failures: 0, next_attempt_at: now })
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      return Number(updated.numUpdatedRows) === 1;
    },

    async listDueWebhookEndpoints(now, owner) {
      const found = await db.selectFrom('webhook_endpoints').selectAll().where((eb) => claimable(eb, now, owner)).orderBy('id').execute();
      return found.map(toWebhookEndpoint);
    },

    async claimWebhookEndpoint(id, owner, now, leaseUntil) {
      // One conditional UPDATE: on PostgreSQL a concurrent claimer waits for the row lock, then
      // finds the lease taken and updates nothing.
      const row = await writes.run(
        (trx) =>
          trx
            .updateTable('webhook_endpoints')
            .set({ lease_owner: owner, lease_until: leaseUntil })
            .where('id', '=', id)
            .where((eb) => claimable(eb, now, owner))
            .returningAll()
            .executeTakeFirst(),
        RELAXED,
      );
      return row && toWebhookEndpoint(row);
    },

    async releaseWebhookEndpoint(id, owner, cursor) {
      await writes.run(
        (trx) =>
          trx
            .updateTable('webhook_endpoints')
            .set({ lease_owner: null, lease_until: null, cursor_tx: cursor.tx, cursor_id: cursor.id })
            .where('id', '=', id)
            .where('lease_owner', '=', owner)
            .execute(),
        RELAXED,
      );
    },

    async readEventLog(position, kinds, limit) {
      if (kinds.length === 0) return [];
      const found = await final(db.selectFrom('events').selectAll().where(after(position)))
        .where('kind', 'in', [...kinds])
        .orderBy('tx')
        .orderBy('id')
        .limit(limit)
        .execute();
      return found.map((r) => ({ ...toEvent(r), position: { tx: Number(r.tx), id: Number(r.id) } }));
    },

    recordWebhookAttempt(o) {
      return writes.run(async (trx) => {
        const updated = await trx
          .updateTable('webhook_endpoints')
          .set({
            failures: o.failures,
            next_attempt_at: o.nextAttemptAt,
            lease_until: o.leaseUntil,
            ...(o.leaseUntil === null ? { lease_owner: null } : {}),
            ...(o.cursor ? { cursor_tx: o.cursor.tx, cursor_id: o.cursor.id } : {}),
            ...(o.disable !== undefined ? { disabled_at: o.attempt.at, disabled_reason: o.disable } : {}),
          })
          .where('id', '=', o.endpointId)
          .where('lease_owner', '=', o.owner)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await trx.insertInto('webhook_attempts').values(webhookAttemptRow(o.attempt)).execute();
        return true;
      });
    },

    async listWebhookAttempts(endpointId, limit) {
      const found = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return found.map(toWebhookAttempt);
    },

    async webhookBacklog() {
      const endpoints = await db.selectFrom('webhook_endpoints').selectAll().where('disabled_at', 'is', null).execute();
      let total = 0;
      for (const endpoint of endpoints.map(toWebhookEndpoint)) {
        const row = await db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where(after(endpoint.cursor))
          .where('kind', 'in', sourceKindsOf(endpoint.events))
          .executeTakeFirst();
        total += Number(row?.n ?? 0);
      }
      return total;
    },

    async pruneWebhookAttempts(before) {
      const deleted = await writes.run((trx) => trx.deleteFrom('webhook_attempts').where('at', '<', before).executeTakeFirst(), RELAXED);
      return Number(deleted.numDeletedRows);
    },
  };
}
