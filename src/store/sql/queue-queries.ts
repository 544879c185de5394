/** The delivery queue: recipients are jobs, leased and settled; backend differences come from capabilities. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { RELAXED, type WriteBatcher } from '../group-commit.js';
import type { DeliveryJob } from '../../core/ports.js';
import { messageStatusOf, type RecipientStatus, type Route, type TransportName } from '../../core/tracking.js';
import { writtenEventRows } from '../message-rows.js';
import type { Database } from '../schema.js';
import type { Capabilities, Store } from '../../core/storage/store.js';

export type QueueQueries = Pick<Store, 'leaseDeliveries' | 'settleDelivery' | 'nextDueAt' | 'releaseLeases'>;

const WAITING: RecipientStatus[] = ['queued', 'deferred'];
// As literals, not bound parameters: SQLite uses the partial index `recipients_due` (WHERE status
// IN ('queued','deferred')) only when it can prove the query's condition implies the index's at
// prepare time, and a `?` proves nothing, so leasing scanned and sorted every recipient ever queued.
const WAITING_LITERALS = WAITING.map((status) => sql.lit(status));

/** A settlement's events carry its write id: finding them means an earlier try of this settlement committed. */
async function landedEarlier(trx: Transaction<Database>, writeId: string): Promise<boolean> {
  const row = await trx.selectFrom('events').select('id').where('write_id', '=', writeId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export function queueQueries(db: Kysely<Database>, writes: WriteBatcher, capabilities: Capabilities): QueueQueries {
  return {
    async leaseDeliveries({ owner, limit, now, leaseMs }) {
      // A lease lost in a crash expires and the recipient is leased again: no fsync needed.
      return writes.run(async (trx) => {
        let due = trx
          .selectFrom('recipients as r')
          .innerJoin('messages as m', 'm.id', 'r.message_id')
          .select([
            'r.id',
            'r.message_id',
            'r.address',
            'r.domain',
            'r.transport',
            'r.attempts',
            'm.route',
            'm.source',
            'm.mail_from',
            'm.subject',
            'm.blob_key',
            'm.received_at',
            'm.expires_at',
          ])
          .where('r.status', 'in', WAITING_LITERALS)
          .where('r.next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('r.lease_until', 'is', null), eb('r.lease_until', '<', now)]))
          .orderBy('r.next_attempt_at')
          .limit(limit);
        // Many processes on one database must not lease the same row; SQLite has one writer anyway.
        if (capabilities.skipLocked) due = due.forUpdate('r').skipLocked();
        const found = await due.execute();
        if (found.length === 0) return [];
        const leaseUntil = now + leaseMs;
        await trx
          .updateTable('recipients')
          .set({ lease_owner: owner, lease_until: leaseUntil, updated_at: now })
          .where(
            'id',
            'in',
            found.map((d) => d.id),
          )
          .execute();
        return found.map(
          (d): DeliveryJob => ({
            recipientId: d.id,
            messageId: d.message_id,
            address: d.address,
            domain: d.domain,
            transport: d.transport as TransportName,
            attempts: Number(d.attempts),
            route: d.route as Route,
            source: d.source,
            mailFrom: d.mail_from,
            subject: d.subject,
            blobKey: d.blob_key,
            receivedAt: Number(d.received_at),
            expiresAt: Number(d.expires_at),
            leaseOwner: owner,
            leaseUntil,
          }),
        );
      }, RELAXED);
    },

    async settleDelivery(s, now, writeId) {
      // A settlement lost in a crash means one more delivery attempt (a possible duplicate, as
      // with any MTA that crashes between the remote 250 and its own bookkeeping), never lost mail.
      return writes.run(async (trx) => {
        const updated = await trx
          .updateTable('recipients')
          .set((eb) => ({
            status: s.status,
            attempts: eb('attempts', '+', 1),
            next_attempt_at: s.nextAttemptAt ?? now,
            lease_owner: null,
            lease_until: null,
            last_code: s.code,
            last_reply: s.reply,
            updated_at: now,
          }))
          .where('id', '=', s.recipientId)
          .where('lease_owner', '=', s.leaseOwner)
          .where('status', 'in', WAITING)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return writeId !== undefined && (await landedEarlier(trx, writeId));
        if (s.events.length > 0) await trx.insertInto('events').values(writtenEventRows(s.events, writeId)).execute();
        // Concurrent settles of one message's recipients (other processes) must not each read the
        // others' old states; the message row lock orders them. SQLite has one writer anyway.
        if (capabilities.skipLocked) {
          await trx.selectFrom('messages').select('id').where('id', '=', s.messageId).forUpdate().execute();
        }
        const states = await trx.selectFrom('recipients').select('status').where('message_id', '=', s.messageId).execute();
        await trx
          .updateTable('messages')
          .set({ status: messageStatusOf(states.map((r) => r.status as RecipientStatus)) })
          .where('id', '=', s.messageId)
          .execute();
        return true;
      }, RELAXED);
    },

    async nextDueAt() {
      // A leased job becomes due again when its lease runs out.
      const row = await db
        .selectFrom('recipients')
        .select(
          sql<number | string | null>`min(case when lease_until > next_attempt_at then lease_until else next_attempt_at end)`.as('due'),
        )
        .where('status', 'in', WAITING_LITERALS)
        .executeTakeFirst();
      return row?.due === null || row?.due === undefined ? undefined : Number(row.due);
    },
    async releaseLeases(owner) {
      // Durable: a release lost in a crash would leave the jobs waiting out the lease time.
      const result = await writes.run((trx) =>
        trx.updateTable('recipients').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst(),
      );
      return Number(result.numUpdatedRows);
    },
  };
}
