/** The delivery queue: recipients are jobs, leased and settled; backend differences come from capabilities. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { RELAXED, type WriteBatcher } from '../group-commit.js';
import type { DeliveryJob } from '../../core/ports.js';
import { messageStatusOf, type RecipientStatus, type Route, type TransportName } from '../../core/tracking.js';
import { writtenEventRows } from '../message-rows.js';
import type { Selected } from '../row-types.js';
import { compiledInsert, compiledOnce } from './compiled-once.js';
import type { Database } from '../schema.js';
import type { Capabilities, Settlement, Store } from '../../core/storage/store.js';

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

/** The columns a lease reads, as `DeliveryJob` wants them. */
type DueRow = Pick<Selected<'recipients'>, 'id' | 'message_id' | 'address' | 'domain' | 'transport' | 'attempts'> &
  Pick<Selected<'messages'>, 'route' | 'source' | 'mail_from' | 'subject' | 'blob_key' | 'received_at' | 'expires_at'>;

/**
 * `IN (…)` lists are padded to the next power of two by repeating the last id (a repeat matches
 * nothing more), so a compiled statement exists for a handful of lengths rather than one per count.
 */
function paddedIds(ids: readonly string[]): string[] {
  let size = 1;
  while (size < ids.length) size *= 2;
  return [...ids, ...Array<string>(size - ids.length).fill(ids[ids.length - 1] as string)];
}

interface LeaseArgs {
  owner: string;
  now: number;
  limit: number;
  leaseUntil: number;
}

/** The statements every delivery runs, compiled once per store (compiled-once.ts). */
function deliveryStatements(capabilities: Capabilities) {
  return {
    due: compiledOnce(
      (on, a: LeaseArgs) => {
        const due = on
          .selectFrom('recipients as r')
          .innerJoin('messages as m', 'm.id', 'r.message_id')
          .select(['r.id', 'r.message_id', 'r.address', 'r.domain', 'r.transport', 'r.attempts'])
          .select(['m.route', 'm.source', 'm.mail_from', 'm.subject', 'm.blob_key', 'm.received_at', 'm.expires_at'])
          .where('r.status', 'in', WAITING_LITERALS)
          .where('r.next_attempt_at', '<=', a.now)
          .where((eb) => eb.or([eb('r.lease_until', 'is', null), eb('r.lease_until', '<', a.now)]))
          .orderBy('r.next_attempt_at')
          .limit(a.limit);
        // Many processes on one database must not lease the same row; SQLite has one writer anyway.
        return capabilities.skipLocked ? due.forUpdate('r').skipLocked() : due;
      },
      (a) => [a.now, a.now, a.limit],
    ),
    lease: compiledOnce(
      (on, a: LeaseArgs & { ids: readonly string[] }) =>
        on.updateTable('recipients').set({ lease_owner: a.owner, lease_until: a.leaseUntil, updated_at: a.now }).where('id', 'in', a.ids),
      (a) => [a.owner, a.leaseUntil, a.now, ...a.ids],
    ),
    settle: compiledOnce(
      (on, a: { s: Settlement; now: number }) =>
        on
          .updateTable('recipients')
          .set((eb) => ({
            status: a.s.status,
            attempts: eb('attempts', '+', 1),
            next_attempt_at: a.s.nextAttemptAt ?? a.now,
            lease_owner: null,
            lease_until: null,
            last_code: a.s.code,
            last_reply: a.s.reply,
            updated_at: a.now,
          }))
          .where('id', '=', a.s.recipientId)
          .where('lease_owner', '=', a.s.leaseOwner)
          .where('status', 'in', WAITING),
      (a) => [a.s.status, 1, a.s.nextAttemptAt ?? a.now, null, null, a.s.code, a.s.reply, a.now, a.s.recipientId, a.s.leaseOwner, ...WAITING],
    ),
    events: compiledInsert('events'),
    // Concurrent settles of one message's recipients (other processes) must not each read the
    // others' old states; the message row lock orders them. SQLite has one writer anyway.
    lockMessage: compiledOnce(
      (on, messageId: string) => on.selectFrom('messages').select('id').where('id', '=', messageId).forUpdate(),
      (messageId) => [messageId],
    ),
    states: compiledOnce(
      (on, messageId: string) => on.selectFrom('recipients').select('status').where('message_id', '=', messageId),
      (messageId) => [messageId],
    ),
    messageStatus: compiledOnce(
      (on, a: { messageId: string; status: string }) => on.updateTable('messages').set({ status: a.status }).where('id', '=', a.messageId),
      (a) => [a.status, a.messageId],
    ),
  };
}

export function queueQueries(db: Kysely<Database>, writes: WriteBatcher, capabilities: Capabilities): QueueQueries {
  const run = deliveryStatements(capabilities);
  return {
    async leaseDeliveries({ owner, limit, now, leaseMs }) {
      // A lease lost in a crash expires and the recipient is leased again: no fsync needed.
      return writes.run(async (trx) => {
        const args = { owner, now, limit, leaseUntil: now + leaseMs };
        const { rows: found } = await run.due<DueRow>(trx, args);
        if (found.length === 0) return [];
        const ids = paddedIds(found.map((d) => d.id));
        await run.lease(trx, { ...args, ids }, String(ids.length));
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
            leaseUntil: args.leaseUntil,
          }),
        );
      }, RELAXED);
    },

    async settleDelivery(s, now, writeId) {
      // A settlement lost in a crash means one more delivery attempt (a possible duplicate, as
      // with any MTA that crashes between the remote 250 and its own bookkeeping), never lost mail.
      return writes.run(async (trx) => {
        const updated = await run.settle(trx, { s, now });
        if (Number(updated.numAffectedRows) !== 1) return writeId !== undefined && (await landedEarlier(trx, writeId));
        await run.events(trx, writtenEventRows(s.events, writeId));
        if (capabilities.skipLocked) await run.lockMessage(trx, s.messageId);
        const { rows: states } = await run.states<{ status: string }>(trx, s.messageId);
        await run.messageStatus(trx, { messageId: s.messageId, status: messageStatusOf(states.map((r) => r.status as RecipientStatus)) });
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
