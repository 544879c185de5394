/** Local mailboxes over any Kysely backend. */
import type { Kysely } from 'kysely';
import { mailboxRow, toMailboxEntry } from '../mailbox-rows.js';
import type { Database } from '../schema.js';
import type { Store } from '../../core/storage/store.js';

export type MailboxQueries = Pick<Store, 'addToMailbox' | 'listMailbox' | 'listMailboxPage' | 'getMailboxEntry'>;

export function mailboxQueries(db: Kysely<Database>): MailboxQueries {
  return {
    async addToMailbox(entry) {
      // Ids are fresh per entry: a row with this id is this very write, landed by an earlier try.
      await db.insertInto('mailbox_entries').values(mailboxRow(entry)).onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    async listMailbox(userId, folder) {
      const found = await db
        .selectFrom('mailbox_entries')
        .selectAll()
        .where('user_id', '=', userId)
        .where('folder', '=', folder)
        .orderBy('received_at', 'desc')
        .execute();
      return found.map(toMailboxEntry);
    },
    async listMailboxPage(userId, folder, page) {
      let query = db.selectFrom('mailbox_entries').where('user_id', '=', userId);
      if (folder !== undefined) query = query.where('folder', '=', folder);
      if (page.ownerMentioned !== undefined) query = query.where('owner_mentioned', '=', page.ownerMentioned ? 1 : 0);
      const [found, count] = await Promise.all([
        query
          .selectAll()
          // The id breaks ties between entries filed in the same millisecond, so pages never overlap.
          .orderBy('received_at', 'desc')
          .orderBy('id', 'desc')
          .offset(page.offset)
          .limit(page.limit)
          .execute(),
        query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { entries: found.map(toMailboxEntry), total: Number(count.n) };
    },
    async getMailboxEntry(userId, id) {
      const row = await db
        .selectFrom('mailbox_entries')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && toMailboxEntry(row);
    },
  };
}
