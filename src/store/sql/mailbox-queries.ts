/** Local mailboxes over any Kysely backend. */
import type { Kysely } from 'kysely';
import * as rows from '../rows.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';

export type MailboxQueries = Pick<Store, 'addToMailbox' | 'listMailbox'>;

export function mailboxQueries(db: Kysely<Database>): MailboxQueries {
  return {
    async addToMailbox(entry) {
      await db.insertInto('mailbox_entries').values(rows.mailboxRow(entry)).execute();
    },
    async listMailbox(userId, folder) {
      const found = await db
        .selectFrom('mailbox_entries')
        .selectAll()
        .where('user_id', '=', userId)
        .where('folder', '=', folder)
        .orderBy('received_at', 'desc')
        .execute();
      return found.map(rows.toMailboxEntry);
    },
  };
}
