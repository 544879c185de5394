/** Queue control over any Kysely backend: waiting recipients listed by filter, and operator actions on them. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { messageStatusOf, type RecipientStatus } from '../../core/tracking.js';
import type { QueueAction, QueueEntry, QueueFilter, QueueSelection, QueueStore } from '../../core/storage/queue-store.js';
import type { Capabilities } from '../../core/storage/store.js';
import type { WriteBatcher } from '../group-commit.js';
import { auditRow } from '../inbound-rows.js';
import { writtenEventRows } from '../message-rows.js';
import type { Database } from '../schema.js';
import { nullableNumber } from '../row-types.js';

// Literals, as in queue-queries.ts: SQLite uses the partial index `recipients_due` only for them.
const WAITING = [sql.lit('queued'), sql.lit('deferred')];

/** What each action leaves a recipient as; a retry keeps its state and only becomes due. */
const NEW_STATUS: Record<QueueAction, RecipientStatus | undefined> = { retry: undefined, bounce: 'bounced', delete: 'rejected' };

function waiting(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('recipients as r')
    .innerJoin('messages as m', 'm.id', 'r.message_id')
    .where('r.status', 'in', WAITING);
}

type Waiting = ReturnType<typeof waiting>;

function filtered(query: Waiting, f: Omit<QueueFilter, 'offset' | 'limit'>): Waiting {
  let q = query;
  if (f.domain !== undefined) q = q.where(sql`lower(r.domain)`, '=', f.domain.toLowerCase());
  if (f.sender !== undefined) q = q.where(sql`lower(m.mail_from)`, '=', f.sender.toLowerCase());
  if (f.messageId !== undefined) q = q.where('r.message_id', '=', f.messageId);
  if (f.receivedBefore !== undefined) q = q.where('m.received_at', '<', f.receivedBefore);
  if (f.state === 'in-flight') q = q.where('r.lease_until', '>', f.now);
  else if (f.state !== undefined) {
    q = q.where('r.status', '=', f.state).where((eb) => eb.or([eb('r.lease_until', 'is', null), eb('r.lease_until', '<=', f.now)]));
  }
  return q;
}

function selected(query: Waiting, selection: QueueSelection, now: number): Waiting {
  const free = query.where((eb) => eb.or([eb('r.lease_until', 'is', null), eb('r.lease_until', '<=', now)]));
  return 'messageId' in selection ? free.where('r.message_id', '=', selection.messageId) : free.where(sql`lower(r.domain)`, '=', selection.domain.toLowerCase());
}

const COLUMNS = [
  'r.id',
  'r.message_id',
  'r.address',
  'r.domain',
  'r.transport',
  'r.status',
  'r.attempts',
  'r.next_attempt_at',
  'r.last_code',
  'r.last_reply',
  'r.lease_until',
  'm.mail_from',
  'm.subject',
  'm.received_at',
  'm.expires_at',
] as const;

type EntryRow = {
  id: string;
  message_id: string;
  address: string;
  domain: string;
  transport: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_code: number | null;
  last_reply: string | null;
  lease_until: number | null;
  mail_from: string;
  subject: string;
  received_at: number;
  expires_at: number;
};

function toEntry(r: EntryRow, now: number): QueueEntry {
  const leaseUntil = nullableNumber(r.lease_until);
  return {
    messageId: r.message_id,
    recipientId: r.id,
    recipient: r.address,
    domain: r.domain,
    sender: r.mail_from,
    subject: r.subject,
    transport: r.transport,
    state: leaseUntil !== null && leaseUntil > now ? 'in-flight' : (r.status as 'queued' | 'deferred'),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastCode: nullableNumber(r.last_code),
    lastReply: r.last_reply,
    receivedAt: Number(r.received_at),
    expiresAt: Number(r.expires_at),
    leaseUntil,
  };
}

async function recomputeStatuses(trx: Transaction<Database>, messageIds: readonly string[]): Promise<void> {
  for (const id of messageIds) {
    const states = await trx.selectFrom('recipients').select('status').where('message_id', '=', id).execute();
    await trx
      .updateTable('messages')
      .set({ status: messageStatusOf(states.map((r) => r.status as RecipientStatus)) })
      .where('id', '=', id)
      .execute();
  }
}

/** `onRequeued` is told when a retry made mail due, so other processes can be woken. */
export function queueControlQueries(db: Kysely<Database>, writes: WriteBatcher, capabilities: Capabilities, onRequeued: () => void): QueueStore {
  return {
    async listQueue(f) {
      const counted = await filtered(waiting(db), f).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      const rows = await filtered(waiting(db), f)
        .select(COLUMNS)
        .orderBy('m.received_at')
        .orderBy('r.id')
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      return { total: Number(counted?.n ?? 0), entries: rows.map((r) => toEntry(r, f.now)) };
    },

    async actOnQueue(request, writeId) {
      const { now } = request;
      return writes.run(async (trx) => {
        let query = selected(waiting(trx), request.selection, now).select(COLUMNS).orderBy('r.id');
        // A worker of another process may be leasing the same rows: skip what it holds.
        if (capabilities.skipLocked) query = query.forUpdate('r').skipLocked();
        const entries = (await query.execute()).map((r) => toEntry(r, now));
        if (entries.length === 0) return [];
        const status = NEW_STATUS[request.action];
        const events = [];
        for (const entry of entries) {
          const outcome = request.outcome(entry);
          await trx
            .updateTable('recipients')
            .set(
              status === undefined
                ? { next_attempt_at: now, updated_at: now }
                : { status, last_code: outcome.code, last_reply: outcome.reply, updated_at: now },
            )
            .where('id', '=', entry.recipientId)
            .execute();
          events.push(...outcome.events);
        }
        // With a write id, a retry of a commit that landed appends neither events nor audit again (docs/retries.md).
        if (events.length > 0) {
          await trx
            .insertInto('events')
            .values(writtenEventRows(events, writeId))
            .onConflict((oc) => oc.columns(['write_id', 'write_seq']).doNothing())
            .execute();
        }
        if (status !== undefined) await recomputeStatuses(trx, [...new Set(entries.map((e) => e.messageId))]);
        else onRequeued();
        const audit = auditRow({ at: now, operator: request.operator, action: request.audit.action, target: request.audit.target, detail: { ...request.audit.detail, recipients: entries.map((e) => e.recipient) } });
        await trx
          .insertInto('audit_log')
          .values({ ...audit, write_id: writeId ?? null })
          .onConflict((oc) => oc.column('write_id').doNothing())
          .execute();
        return entries;
      });
    },
  };
}
