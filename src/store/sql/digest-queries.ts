/** Recipients' own quarantine over any Kysely backend: digest items and claims, one-time links, per-recipient senders and release. */
import { sql, type InsertResult, type Kysely } from 'kysely';
import type { HoldActionResult } from '../../core/held-review.js';
import type { DigestStore, RecipientSenderEntry } from '../../core/storage/digest-store.js';
import type { SenderList } from '../../core/storage/inbound-store.js';
import { EVENT_KIND } from '../../core/tracking.js';
import type { WriteBatcher } from '../group-commit.js';
import { auditRow } from '../inbound-rows.js';
import { eventRow } from '../message-rows.js';
import type { Database } from '../schema.js';
import { recomputeStatus } from './inbound-queries.js';

function spamScoreOf(meta: string): number | null {
  const score = (JSON.parse(meta) as { spamInfo?: { spamScore?: unknown } }).spamInfo?.spamScore;
  return typeof score === 'number' ? score : null;
}

const toRecipientSender = (r: Database['recipient_senders']): RecipientSenderEntry => ({
  id: r.id,
  recipient: r.recipient,
  list: r.list as SenderList,
  pattern: r.pattern,
  createdAt: Number(r.created_at),
});

/**
 * Queues one held recipient of a message; the hold itself is released when no recipient is left
 * held, and otherwise keeps waiting for its other recipients' review.
 */
function releaseHeldRecipient(writes: WriteBatcher, onRequeued: () => void): DigestStore['releaseHeldRecipient'] {
  return (r) =>
    writes.run(async (trx): Promise<HoldActionResult> => {
      const held = await trx
        .selectFrom('recipients')
        .select(['id', 'address'])
        .where('message_id', '=', r.messageId)
        .where('status', '=', 'held')
        .execute();
      const mine = held.filter((x) => x.address.toLowerCase() === r.recipient);
      if (mine.length === 0) {
        const hold = await trx.selectFrom('holds').select('status').where('message_id', '=', r.messageId).executeTakeFirst();
        return hold ? 'not_held' : 'not_found';
      }
      const ids = mine.map((x) => x.id);
      // The status condition is the guard against a concurrent review of the same recipient.
      const claimed = await trx
        .updateTable('recipients')
        .set({ status: 'queued', next_attempt_at: r.now, updated_at: r.now })
        .where('id', 'in', ids)
        .where('status', '=', 'held')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return 'not_held';
      await trx.updateTable('messages').set({ expires_at: r.requeueUntil }).where('id', '=', r.messageId).where('expires_at', '<', r.requeueUntil).execute();
      const detail = { operator: r.operator, ...r.detail };
      await trx
        .insertInto('events')
        .values(ids.map((recipientId) => eventRow({ messageId: r.messageId, recipientId, kind: EVENT_KIND.released, at: r.now, detail })))
        .execute();
      const others = held.filter((x) => !ids.includes(x.id));
      const hold = others[0]
        ? { to_address: others[0].address }
        : { status: 'released', decided_at: r.now, decided_by: r.operator };
      await trx.updateTable('holds').set(hold).where('message_id', '=', r.messageId).where('status', '=', 'held').execute();
      await recomputeStatus(trx, r.messageId);
      await trx.insertInto('audit_log').values(auditRow({ at: r.now, operator: r.operator, action: 'hold_release', target: r.messageId, detail })).execute();
      onRequeued();
      return 'done';
    });
}

/**
 * Runs an insert-unless-present claim; true when this write holds it, including a retry of the same
 * `writer` whose first commit landed without its reply (docs/retries.md).
 */
function claimOnce(
  writes: WriteBatcher,
  writer: string | undefined,
  insert: (trx: Kysely<Database>) => Promise<InsertResult>,
  holder: (trx: Kysely<Database>) => Promise<{ writer: string | null } | undefined>,
): Promise<boolean> {
  return writes.run(async (trx) => {
    if (Number((await insert(trx)).numInsertedOrUpdatedRows ?? 0) === 1) return true;
    return writer !== undefined && (await holder(trx))?.writer === writer;
  });
}

export function digestQueries(db: Kysely<Database>, writes: WriteBatcher, onRequeued: () => void): DigestStore {
  return {
    async listDigestItems(q) {
      if (q.domains.length === 0 || q.reasonIds.length === 0) return [];
      let query = db
        .selectFrom('recipients as r')
        .innerJoin('holds as h', 'h.message_id', 'r.message_id')
        .innerJoin('messages as m', 'm.id', 'r.message_id')
        .select(['r.address', 'm.id', 'm.mail_from', 'm.from_header', 'm.subject', 'm.received_at', 'm.meta'])
        .where('r.status', '=', 'held')
        .where('h.status', '=', 'held')
        .where('h.reason_id', 'in', [...q.reasonIds])
        .where('r.domain', 'in', [...q.domains]);
      if (q.recipient) query = query.where(sql<string>`lower(${sql.ref('r.address')})`, '=', q.recipient);
      const rows = await query.orderBy('r.address').orderBy('m.received_at').orderBy('m.id').limit(q.limit).execute();
      return rows.map((row) => ({
        recipient: row.address.toLowerCase(),
        messageId: row.id,
        mailFrom: row.mail_from,
        fromHeader: row.from_header,
        subject: row.subject,
        receivedAt: Number(row.received_at),
        spamScore: spamScoreOf(row.meta),
      }));
    },
    claimDigest(recipient, period, now, writer) {
      return claimOnce(
        writes,
        writer,
        (trx) => trx.insertInto('digest_sends').values({ recipient, period, sent_at: now, writer: writer ?? null }).onConflict((oc) => oc.doNothing()).executeTakeFirst(),
        (trx) => trx.selectFrom('digest_sends').select('writer').where('recipient', '=', recipient).where('period', '=', period).executeTakeFirst(),
      );
    },
    async unclaimDigest(recipient, period) {
      await writes.run((trx) => trx.deleteFrom('digest_sends').where('recipient', '=', recipient).where('period', '=', period).execute());
    },
    useDigestLink(tokenId, now, expiresAt, writer) {
      return claimOnce(
        writes,
        writer,
        (trx) =>
          trx
            .insertInto('digest_link_uses')
            .values({ token_id: tokenId, used_at: now, expires_at: expiresAt, writer: writer ?? null })
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst(),
        (trx) => trx.selectFrom('digest_link_uses').select('writer').where('token_id', '=', tokenId).executeTakeFirst(),
      );
    },
    async digestLinkUsed(tokenId) {
      return (await db.selectFrom('digest_link_uses').select('token_id').where('token_id', '=', tokenId).executeTakeFirst()) !== undefined;
    },
    async forgetDigestLink(tokenId) {
      await writes.run((trx) => trx.deleteFrom('digest_link_uses').where('token_id', '=', tokenId).execute());
    },
    pruneDigestRecords(now, period) {
      return writes.run(async (trx) => {
        const links = await trx.deleteFrom('digest_link_uses').where('expires_at', '<', now).executeTakeFirst();
        const claims = await trx.deleteFrom('digest_sends').where('period', '<', period).executeTakeFirst();
        return Number(links.numDeletedRows) + Number(claims.numDeletedRows);
      });
    },
    async putRecipientSender(entry) {
      const row = { id: entry.id, recipient: entry.recipient, list: entry.list, pattern: entry.pattern, created_at: entry.createdAt };
      await writes.run((trx) =>
        trx
          .insertInto('recipient_senders')
          .values(row)
          .onConflict((oc) => oc.columns(['recipient', 'pattern']).doUpdateSet({ id: row.id, list: row.list, created_at: row.created_at }))
          .execute(),
      );
    },
    async listRecipientSenders(recipients) {
      if (recipients.length === 0) return [];
      const rows = await db.selectFrom('recipient_senders').selectAll().where('recipient', 'in', [...recipients]).orderBy('recipient').orderBy('pattern').execute();
      return rows.map(toRecipientSender);
    },
    releaseHeldRecipient: releaseHeldRecipient(writes, onRequeued),
  };
}
