/** Policies, sender lists, DNSBL zones, held-message review and the audit log over any Kysely backend. */
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { MailgateError } from '../../core/errors.js';
import type { NewEvent } from '../../core/ports.js';
import { EVENT_KIND, messageStatusOf, type RecipientStatus } from '../../core/tracking.js';
import type { WriteBatcher } from '../group-commit.js';
import * as inbound from '../inbound-rows.js';
import type { HoldAction, HoldQuery, InboundStore } from '../../core/storage/inbound-store.js';
import { eventRow } from '../message-rows.js';
import type { Database } from '../schema.js';

/** `%value%` for LIKE, with the wildcards in the value escaped (ESCAPE '\' is given explicitly: SQLite has no default). */
function containing(value: string): string {
  return `%${value.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
}

function like(column: string, value: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${containing(value)} escape '\\'`;
}

const ACTION_STATUS = { release: 'released', reject: 'rejected', expire: 'expired' } as const;

/** Sets a message's status from its recipients' states (after review changed some). */
export async function recomputeStatus(trx: Transaction<Database>, messageId: string): Promise<void> {
  const states = await trx.selectFrom('recipients').select('status').where('message_id', '=', messageId).execute();
  await trx
    .updateTable('messages')
    .set({ status: messageStatusOf(states.map((r) => r.status as RecipientStatus)) })
    .where('id', '=', messageId)
    .execute();
}

function holdsQuery(db: Kysely<Database>, q: Omit<HoldQuery, 'offset' | 'limit'>) {
  let query = db.selectFrom('holds as h').innerJoin('messages as m', 'm.id', 'h.message_id');
  if (q.status) query = query.where('h.status', '=', q.status);
  if (q.start !== undefined) query = query.where('m.received_at', '>=', q.start);
  if (q.end !== undefined) query = query.where('m.received_at', '<=', q.end);
  if (q.routes && q.routes.length > 0) query = query.where('m.route', 'in', q.routes);
  if (q.recipient) query = query.where('h.to_address', '=', q.recipient.toLowerCase());
  if (q.heldGroup) query = query.where('h.held_group', '=', q.heldGroup);
  const search = q.search;
  if (search && search.value !== '') {
    const columns = {
      subject: ['m.subject'],
      sender: ['m.mail_from', 'm.from_header'],
      recipient: ['h.to_address'],
      reason_code: ['h.reason_code'],
      all: ['m.subject', 'm.mail_from', 'm.from_header', 'h.to_address', 'h.reason_code'],
    }[search.field];
    query = query.where((eb) => eb.or(columns.map((c) => like(c, search.value))));
  }
  return query;
}

/** Hold and limit policies, in evaluation order. */
function policyQueries(db: Kysely<Database>): Pick<InboundStore, 'listPolicies' | 'putPolicy' | 'deletePolicy'> {
  return {
    async listPolicies() {
      const found = await db.selectFrom('policies').selectAll().orderBy('position').orderBy('id').execute();
      return found.map(inbound.toPolicy);
    },
    async putPolicy(policy, now) {
      const row = inbound.policyRow(policy, now);
      await db
        .insertInto('policies')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            name: row.name,
            kind: row.kind,
            enabled: row.enabled,
            routes: row.routes,
            held_group: row.held_group,
            position: row.position,
            params: row.params,
            updated_at: now,
          }),
        )
        .execute();
    },
    async deletePolicy(id) {
      const result = await db.deleteFrom('policies').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

/** Allowed and blocked sender patterns. */
function senderListQueries(db: Kysely<Database>): Pick<InboundStore, 'listSenderEntries' | 'addSenderEntry' | 'removeSenderEntry'> {
  return {
    async listSenderEntries(list) {
      let query = db.selectFrom('sender_lists').selectAll();
      if (list) query = query.where('list', '=', list);
      return (await query.orderBy('list').orderBy('pattern').execute()).map(inbound.toSenderEntry);
    },
    async addSenderEntry(entry) {
      const inserted = await db
        .insertInto('sender_lists')
        .values(inbound.senderRow(entry))
        .onConflict((oc) => oc.columns(['list', 'pattern']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) {
        throw new MailgateError('conflict', `${entry.pattern} is already on the ${entry.list} list`, 'pattern');
      }
    },
    async removeSenderEntry(id) {
      const result = await db.deleteFrom('sender_lists').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

/** The DNS blocklist zones consulted at acceptance. */
function dnsblZoneQueries(db: Kysely<Database>): Pick<InboundStore, 'listDnsblZones' | 'putDnsblZone' | 'removeDnsblZone'> {
  return {
    async listDnsblZones() {
      return (await db.selectFrom('dnsbl_zones').selectAll().orderBy('zone').execute()).map(inbound.toZone);
    },
    async putDnsblZone(zone) {
      const row = inbound.zoneRow(zone);
      await db
        .insertInto('dnsbl_zones')
        .values(row)
        .onConflict((oc) => oc.column('zone').doUpdateSet({ kind: row.kind, weight: row.weight }))
        .execute();
    },
    async removeDnsblZone(zone) {
      const result = await db.deleteFrom('dnsbl_zones').where('zone', '=', zone.toLowerCase()).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

/** Releases, rejects or expires one held message with its events and audit entry; a release wakes the queue through `onRequeued`. */
function actOnHold(writes: WriteBatcher, onRequeued: () => void): InboundStore['actOnHold'] {
  return async (messageId, action: HoldAction, now, requeueUntil) =>
    writes.run(async (trx) => {
      const status = ACTION_STATUS[action.action];
      // The conditional update is the guard: of two concurrent reviewers only one wins.
      const claimed = await trx
        .updateTable('holds')
        .set({ status, decided_at: now, decided_by: action.operator })
        .where('message_id', '=', messageId)
        .where('status', '=', 'held')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) {
        const exists = await trx.selectFrom('holds').select('status').where('message_id', '=', messageId).executeTakeFirst();
        return exists ? 'not_held' : 'not_found';
      }
      const held = await trx
        .selectFrom('recipients')
        .select('id')
        .where('message_id', '=', messageId)
        .where('status', '=', 'held')
        .execute();
      const ids = held.map((r) => r.id);
      const detail: Record<string, unknown> = { operator: action.operator };
      if (action.message !== undefined) detail.message = action.message;
      if (action.reasonType !== undefined) detail.reasonType = action.reasonType;
      if (action.notify !== undefined) detail.notify = action.notify;
      if (action.action === 'expire') detail.reason = 'hold expired';
      if (ids.length > 0) {
        if (action.action === 'release') {
          await trx
            .updateTable('recipients')
            .set({ status: 'queued', next_attempt_at: now, updated_at: now })
            .where('id', 'in', ids)
            .execute();
          // Time spent in review does not count against the queue lifetime.
          await trx.updateTable('messages').set({ expires_at: requeueUntil }).where('id', '=', messageId).where('expires_at', '<', requeueUntil).execute();
          onRequeued();
        } else {
          const reply = action.action === 'expire' ? 'held message expired' : (action.message ?? action.reasonType ?? 'rejected by review');
          await trx
            .updateTable('recipients')
            .set({ status: 'rejected', last_code: 550, last_reply: reply, updated_at: now })
            .where('id', 'in', ids)
            .execute();
        }
        const kind = action.action === 'release' ? EVENT_KIND.released : EVENT_KIND.rejected;
        const events: NewEvent[] = ids.map((recipientId) => ({ messageId, recipientId, kind, at: now, detail }));
        await trx.insertInto('events').values(events.map(eventRow)).execute();
      }
      await recomputeStatus(trx, messageId);
      await trx
        .insertInto('audit_log')
        .values(inbound.auditRow({ at: now, operator: action.operator, action: `hold_${action.action}`, target: messageId, detail }))
        .execute();
      return 'done';
    });
}

/** Held-message review: reading holds and deciding them. */
function holdQueries(db: Kysely<Database>, writes: WriteBatcher, onRequeued: () => void): Pick<InboundStore, 'getHold' | 'listHolds' | 'holdSummary' | 'actOnHold' | 'listExpiredHolds'> {
  return {
    async getHold(messageId) {
      const row = await holdsQuery(db, {})
        .selectAll('h')
        .select(['m.mail_from', 'm.from_header', 'm.subject', 'm.size', 'm.route', 'm.received_at', 'm.meta'])
        .where('h.message_id', '=', messageId)
        .executeTakeFirst();
      return row && inbound.toHold(row);
    },
    async listHolds(q) {
      const counted = await holdsQuery(db, q).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      const found = await holdsQuery(db, q)
        .selectAll('h')
        .select(['m.mail_from', 'm.from_header', 'm.subject', 'm.size', 'm.route', 'm.received_at', 'm.meta'])
        .orderBy('m.received_at', 'desc')
        .orderBy('h.message_id', 'desc')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      return { total: Number(counted?.n ?? 0), holds: found.map(inbound.toHold) };
    },
    async holdSummary() {
      const found = await db
        .selectFrom('holds')
        .select(['policy_info', (eb) => eb.fn.countAll().as('n')])
        .where('status', '=', 'held')
        .groupBy('policy_info')
        .orderBy('policy_info')
        .execute();
      return found.map((r) => ({ policyInfo: r.policy_info, count: Number(r.n) }));
    },
    actOnHold: actOnHold(writes, onRequeued),
    async listExpiredHolds(now, limit) {
      const found = await db
        .selectFrom('holds')
        .select('message_id')
        .where('status', '=', 'held')
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit)
        .execute();
      return found.map((r) => r.message_id);
    },
  };
}

/** The operators' audit log. */
function auditQueries(db: Kysely<Database>, writes: WriteBatcher): Pick<InboundStore, 'appendAudit' | 'listAudit'> {
  return {
    async appendAudit(entry, writeId) {
      await writes.run((trx) =>
        trx
          .insertInto('audit_log')
          .values({ ...inbound.auditRow(entry), write_id: writeId ?? null })
          .onConflict((oc) => oc.column('write_id').doNothing())
          .execute(),
      );
    },
    async listAudit(q) {
      let query = db.selectFrom('audit_log');
      if (q.actions && q.actions.length > 0) query = query.where('action', 'in', [...q.actions]);
      if (q.start !== undefined) query = query.where('at', '>=', q.start);
      if (q.end !== undefined) query = query.where('at', '<=', q.end);
      const counted = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      const found = await query.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
      return { total: Number(counted?.n ?? 0), entries: found.map(inbound.toAudit) };
    },
  };
}

/** `onRequeued` is told when a release put mail back in the queue, so other processes can be woken. */
export function inboundQueries(db: Kysely<Database>, writes: WriteBatcher, onRequeued: () => void): InboundStore {
  return {
    ...policyQueries(db),
    ...senderListQueries(db),
    ...dnsblZoneQueries(db),
    ...holdQueries(db, writes, onRequeued),
    ...auditQueries(db, writes),
  };
}
