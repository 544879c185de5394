/** Files, messages, recipients and the event log over any Kysely backend. */
import type { Kysely, Transaction } from 'kysely';
import type { NewMessage } from '../../core/ports.js';
import { holdRow } from '../inbound-rows.js';
import { compiledInsert } from './compiled-once.js';
import { eventRow, fileRow, messageRow, recipientRow, toEvent, toFile, toMessage, toRecipient, writtenEventRows } from '../message-rows.js';
import type { Database } from '../schema.js';
import type { Store } from '../../core/storage/store.js';

export type MessageQueries = Pick<
  Store,
  'createFile' | 'getFile' | 'getMessage' | 'listRecipients' | 'listEvents' | 'appendEvents'
>;

/** Inserts an accepted message with its recipients and first events inside the caller's transaction (one per store). */
export function messageInserter(): (trx: Transaction<Database>, m: NewMessage) => Promise<void> {
  const messages = compiledInsert('messages');
  const recipients = compiledInsert('recipients');
  const events = compiledInsert('events');
  return async (trx, m) => {
    await messages(trx, [messageRow(m)]);
    await recipients(trx, m.recipients.map((r) => recipientRow(m, r)));
    await events(trx, m.events.map(eventRow));
    if (m.hold) await trx.insertInto('holds').values(holdRow(m.id, m.hold)).execute();
  };
}

export function messageQueries(db: Kysely<Database>): MessageQueries {
  return {
    async createFile(file) {
      // Ids are fresh per file: a row with this id is this very write, landed by an earlier try.
      await db.insertInto('files').values(fileRow(file)).onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    async getFile(id) {
      const row = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toFile(row);
    },
    async getMessage(id) {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toMessage(row);
    },
    async listRecipients(messageId) {
      const found = await db.selectFrom('recipients').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
      return found.map(toRecipient);
    },
    async listEvents(messageId) {
      const found = await db.selectFrom('events').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
      return found.map(toEvent);
    },
    async appendEvents(events, writeId) {
      if (events.length === 0) return;
      await db
        .insertInto('events')
        .values(writtenEventRows(events, writeId))
        .onConflict((oc) => oc.columns(['write_id', 'write_seq']).doNothing())
        .execute();
    },
  };
}
