/** Message search, tracking summaries, retention dates, purge and litigation holds over any Kysely backend. */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { WriteBatcher } from '../group-commit.js';
import { eventRow, toMessage, toRecipient } from '../message-rows.js';
import { litigationHoldRow, toLitigationHold } from '../tracking-rows.js';
import type { Database } from '../schema.js';
import type { MessageSearch, TrackingStore } from '../../core/storage/tracking-store.js';

/** Recipients in these states still need the raw message. */
const NEEDS_CONTENT = ['queued', 'deferred', 'held'];

/** `%`, `_` and the escape character itself are literal in a user's substring; `!` is the portable escape. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function contains(column: string, text: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${containsPattern(text)} escape '!'`;
}

function searchConditions(eb: ExpressionBuilder<Database, 'messages'>, s: MessageSearch): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [eb('messages.received_at', '>=', s.start), eb('messages.received_at', '<=', s.end)];
  if (s.internetMessageId !== undefined) all.push(eb('messages.internet_message_id', '=', s.internetMessageId));
  if (s.from !== undefined) {
    all.push(eb.or([eb(eb.fn('lower', ['messages.mail_from']), '=', s.from.toLowerCase()), contains('messages.from_header', s.from)]));
  }
  if (s.to !== undefined) {
    const to = s.to.toLowerCase();
    // IN, not a correlated EXISTS: the recipients_address index finds the few messages first,
    // instead of one probe per message in the window (26 s at 100,000 messages, bench/console.ts).
    all.push(
      eb(
        'messages.id',
        'in',
        eb
          .selectFrom('recipients')
          .select('recipients.message_id')
          .where((r) => r(r.fn('lower', ['recipients.address']), '=', to)),
      ),
    );
  }
  if (s.subject !== undefined) all.push(contains('messages.subject', s.subject));
  if (s.senderIp !== undefined) all.push(eb('messages.sender_ip', '=', s.senderIp));
  if (s.route !== undefined) all.push(eb('messages.route', '=', s.route));
  if (s.status !== undefined) all.push(eb('messages.status', '=', s.status));
  if (s.source !== undefined) all.push(eb('messages.source', '=', s.source));
  return eb.and(all);
}

/** Holds in force at `now`. */
function activeHold(eb: ExpressionBuilder<Database, 'litigation_holds'>, now: number): Expression<SqlBool> {
  return eb.and([
    eb('litigation_holds.released_at', 'is', null),
    eb.or([eb('litigation_holds.expires_at', 'is', null), eb('litigation_holds.expires_at', '>', now)]),
  ]);
}

/** Message search and the stored per-message tracking summary. */
function searchQueries(db: Kysely<Database>, writes: WriteBatcher): Pick<TrackingStore, 'searchMessages' | 'listRecipientsOf' | 'getMessageSummary' | 'saveMessageSummary'> {
  return {
    async searchMessages(s) {
      const counted = await db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where((eb) => searchConditions(eb, s))
        .executeTakeFirst();
      let page = db.selectFrom('messages').selectAll().where((eb) => searchConditions(eb, s));
      const after = s.after;
      const order = s.order ?? 'desc';
      const beyond = order === 'desc' ? '<' : '>';
      if (after) {
        page = page.where((eb) =>
          eb.or([
            eb('received_at', beyond, after.receivedAt),
            eb.and([eb('received_at', '=', after.receivedAt), eb('id', beyond, after.id)]),
          ]),
        );
      }
      const found = await page.orderBy('received_at', order).orderBy('id', order).limit(s.limit).execute();
      return { total: Number(counted?.n ?? 0), messages: found.map(toMessage) };
    },

    async listRecipientsOf(messageIds) {
      if (messageIds.length === 0) return [];
      const found = await db
        .selectFrom('recipients')
        .selectAll()
        .where('message_id', 'in', [...messageIds])
        .orderBy('message_id')
        .orderBy('id')
        .execute();
      return found.map(toRecipient);
    },

    async getMessageSummary(messageId) {
      const row = await db.selectFrom('messages').select('summary').where('id', '=', messageId).executeTakeFirst();
      return row?.summary ? (JSON.parse(row.summary) as unknown) : undefined;
    },

    async saveMessageSummary(messageId, summary) {
      await writes.run((trx) =>
        trx.updateTable('messages').set({ summary: JSON.stringify(summary) }).where('id', '=', messageId).execute(),
      );
    },
  };
}

/** Purge dates from the retention period, and purging what no recipient or hold still needs. */
function retentionQueries(db: Kysely<Database>, writes: WriteBatcher): Pick<TrackingStore, 'applyRetention' | 'listPurgeable' | 'markPurged'> {
  return {
    async applyRetention(retentionMs) {
      return writes.run(async (trx) => {
        const dated = await trx
          .updateTable('messages')
          .set((eb) => ({ purge_at: eb('received_at', '+', retentionMs), original_purge_at: eb('received_at', '+', retentionMs) }))
          .where('purge_at', 'is', null)
          .executeTakeFirst();
        const adjusted = await trx
          .updateTable('messages')
          .set((eb) => ({ purge_at: eb('received_at', '+', retentionMs) }))
          .where('purged_at', 'is', null)
          .where((eb) => eb('purge_at', '<>', eb('received_at', '+', retentionMs)))
          .executeTakeFirst();
        return { dated: Number(dated.numUpdatedRows), adjusted: Number(adjusted.numUpdatedRows) };
      });
    },

    async listPurgeable(now, limit) {
      const found = await db
        .selectFrom('messages as m')
        .selectAll('m')
        .where('m.purged_at', 'is', null)
        .where('m.purge_at', '<=', now)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('recipients as r')
                .select('r.id')
                .whereRef('r.message_id', '=', 'm.id')
                .where('r.status', 'in', NEEDS_CONTENT),
            ),
          ),
        )
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('litigation_holds')
                .select('litigation_holds.id')
                .where((h) => activeHold(h, now))
                .where((h) =>
                  h.or([
                    h('litigation_holds.message_id', '=', h.ref('m.id')),
                    h('litigation_holds.address', '=', h.fn<string>('lower', ['m.mail_from'])),
                    h(
                      'litigation_holds.address',
                      'in',
                      h.selectFrom('recipients as r2').select((r) => r.fn<string>('lower', ['r2.address']).as('a')).whereRef('r2.message_id', '=', 'm.id'),
                    ),
                  ]),
                ),
            ),
          ),
        )
        .orderBy('m.purge_at')
        .limit(limit)
        .execute();
      return found.map(toMessage);
    },

    async markPurged(messageId, now, event) {
      return writes.run(async (trx) => {
        const updated = await trx
          .updateTable('messages')
          .set({ purged_at: now })
          .where('id', '=', messageId)
          .where('purged_at', 'is', null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await trx.insertInto('events').values(eventRow(event)).execute();
        return true;
      });
    },
  };
}

/** Litigation holds, which keep messages from purge while in force. */
function litigationHoldQueries(db: Kysely<Database>, writes: WriteBatcher): Pick<TrackingStore, 'addLitigationHold' | 'releaseLitigationHold' | 'listLitigationHolds' | 'litigationHoldsFor'> {
  return {
    async addLitigationHold(hold) {
      await writes.run((trx) => trx.insertInto('litigation_holds').values(litigationHoldRow(hold)).onConflict((oc) => oc.column('id').doNothing()).execute());
    },

    async releaseLitigationHold(id, by, now) {
      return writes.run(async (trx) => {
        const updated = await trx
          .updateTable('litigation_holds')
          .set({ released_at: now, released_by: by })
          .where('id', '=', id)
          .where((eb) => activeHold(eb, now))
          .executeTakeFirst();
        return Number(updated.numUpdatedRows) === 1;
      });
    },

    async listLitigationHolds(now) {
      let query = db.selectFrom('litigation_holds').selectAll();
      if (now !== undefined) query = query.where((eb) => activeHold(eb, now));
      const found = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      return found.map(toLitigationHold);
    },

    async litigationHoldsFor(messageId, now) {
      const message = await db.selectFrom('messages').select('mail_from').where('id', '=', messageId).executeTakeFirst();
      if (!message) return [];
      const recipients = await db.selectFrom('recipients').select('address').where('message_id', '=', messageId).execute();
      const addresses = [...new Set([message.mail_from, ...recipients.map((r) => r.address)].filter(Boolean).map((a) => a.toLowerCase()))];
      const found = await db
        .selectFrom('litigation_holds')
        .selectAll()
        .where((eb) => activeHold(eb, now))
        .where((eb) => eb.or([eb('message_id', '=', messageId), ...(addresses.length > 0 ? [eb('address', 'in', addresses)] : [])]))
        .orderBy('created_at')
        .execute();
      return found.map(toLitigationHold);
    },
  };
}

export function trackingQueries(db: Kysely<Database>, writes: WriteBatcher): TrackingStore {
  return {
    ...searchQueries(db, writes),
    ...retentionQueries(db, writes),
    ...litigationHoldQueries(db, writes),
  };
}
