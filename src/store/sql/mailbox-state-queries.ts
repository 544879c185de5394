/** Read state, Important marks, integer numbers, deletion and folder counts of mailbox entries over any Kysely backend. */
import type { Kysely } from 'kysely';
import type { MailboxStateStore, NumberedMailboxEntry } from '../../core/storage/mailbox-store.js';
import { toMailboxEntry } from '../mailbox-rows.js';
import type { Database } from '../schema.js';

type NumberedRow = Parameters<typeof toMailboxEntry>[0] & { mail_id: number | string; marked: number };

const toNumbered = (r: NumberedRow): NumberedMailboxEntry => ({
  mailId: Number(r.mail_id),
  marked: Boolean(r.marked),
  entry: toMailboxEntry(r),
});

export function mailboxStateQueries(db: Kysely<Database>): MailboxStateStore {
  const numbered = () => db.selectFrom('mailbox_entries as e').innerJoin('mailbox_numbers as n', 'n.entry_id', 'e.id');

  return {
    async listNumberedMailbox(userId, folder, page) {
      let query = numbered().where('e.user_id', '=', userId).where('e.folder', '=', folder);
      if (page.unreadOnly) query = query.where('e.unread', '=', 1);
      const { after } = page;
      if (after) {
        // Keyset paging on the listing order, so mail arriving between pages neither repeats nor hides entries.
        query = query.where((eb) =>
          eb.or([eb('e.received_at', '<', after.receivedAt), eb.and([eb('e.received_at', '=', after.receivedAt), eb('e.id', '<', after.id)])]),
        );
      }
      const [found, counts] = await Promise.all([
        query.selectAll('e').select(['n.mail_id', 'n.marked']).orderBy('e.received_at', 'desc').orderBy('e.id', 'desc').limit(page.limit).execute(),
        db
          .selectFrom('mailbox_entries')
          .where('user_id', '=', userId)
          .where('folder', '=', folder)
          .select((eb) => [eb.fn.countAll<number | string>().as('total'), eb.fn.sum<number | string | null>('unread').as('unread')])
          .executeTakeFirstOrThrow(),
      ]);
      return { entries: found.map(toNumbered), total: Number(counts.total), unread: Number(counts.unread ?? 0) };
    },

    async getNumberedMailboxEntry(userId, mailId) {
      const row = await numbered()
        .where('n.mail_id', '=', mailId)
        .where('e.user_id', '=', userId)
        .selectAll('e')
        .select(['n.mail_id', 'n.marked'])
        .executeTakeFirst();
      return row && toNumbered(row);
    },

    async updateMailboxState(userId, entryId, change) {
      return db.transaction().execute(async (trx) => {
        const owned = await trx.selectFrom('mailbox_entries').select('id').where('id', '=', entryId).where('user_id', '=', userId).executeTakeFirst();
        if (!owned) return false;
        if (change.unread !== undefined) {
          await trx.updateTable('mailbox_entries').set({ unread: change.unread ? 1 : 0 }).where('id', '=', entryId).execute();
        }
        if (change.marked !== undefined) {
          await trx.updateTable('mailbox_numbers').set({ marked: change.marked ? 1 : 0 }).where('entry_id', '=', entryId).execute();
        }
        return true;
      });
    },

    async deleteMailboxEntry(userId, entryId) {
      return db.transaction().execute(async (trx) => {
        const entry = await trx
          .selectFrom('mailbox_entries')
          .select('blob_key')
          .where('id', '=', entryId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (!entry) return undefined;
        await trx.deleteFrom('mailbox_numbers').where('entry_id', '=', entryId).execute();
        await trx.deleteFrom('mailbox_entries').where('id', '=', entryId).execute();
        // One local delivery files one blob for all its local recipients; a message may own the blob too.
        const [entries, messages] = await Promise.all([
          trx.selectFrom('mailbox_entries').select((eb) => eb.fn.countAll<number | string>().as('n')).where('blob_key', '=', entry.blob_key).executeTakeFirstOrThrow(),
          trx.selectFrom('messages').select((eb) => eb.fn.countAll<number | string>().as('n')).where('blob_key', '=', entry.blob_key).executeTakeFirstOrThrow(),
        ]);
        return { blobKey: entry.blob_key, blobShared: Number(entries.n) + Number(messages.n) > 0 };
      });
    },

    async countMailboxFolders(userId) {
      const found = await db
        .selectFrom('mailbox_entries')
        .where('user_id', '=', userId)
        .select((eb) => [
          'folder',
          eb.fn.countAll<number | string>().as('total'),
          eb.fn.sum<number | string | null>('unread').as('unread'),
          eb.fn.sum<number | string | null>('size').as('size'),
        ])
        .groupBy('folder')
        .execute();
      return found.map((r) => ({ folder: r.folder, total: Number(r.total), unread: Number(r.unread ?? 0), size: Number(r.size ?? 0) }));
    },
  };
}
