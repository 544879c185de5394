/** The embedded default backend: one SQLite file (WAL, synchronous=FULL) plus file blobs. */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DeliveryJob, NewEvent, NewMessage } from '../../core/ports.js';
import type { RecipientStatus, TransportName } from '../../core/tracking.js';
import { messageStatusOf } from '../../core/tracking.js';
import { createFileBlobStore } from '../file-blob-store.js';
import { createGroupCommitter } from '../group-commit.js';
import { runMigrations } from '../migrations.js';
import type { Database as Schema } from '../schema.js';
import type { Capabilities, Store } from '../store.js';
import * as rows from '../rows.js';

export const SQLITE_CAPABILITIES: Capabilities = { skipLocked: false, listenNotify: false };

const WAITING: RecipientStatus[] = ['queued', 'deferred'];

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the API answers 2xx.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export async function openSqliteStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  const raw = openDatabase(path.join(dataDir, 'mailgate.sqlite'));
  raw.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  await runMigrations('sqlite', {
    async applied() {
      const names = raw.prepare('SELECT name FROM schema_migrations').pluck().all() as string[];
      return new Set(names);
    },
    async apply(name, script) {
      raw.transaction(() => {
        raw.exec(script);
        raw.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(name, Date.now());
      }).immediate();
    },
  });

  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  const blobs = createFileBlobStore(path.join(dataDir, 'blobs'));

  const committer = createGroupCommitter<NewMessage>(async (messages) => {
    await db.transaction().execute(async (trx) => {
      for (const m of messages) {
        await trx.insertInto('messages').values(rows.messageRow(m)).execute();
        if (m.recipients.length > 0) {
          await trx.insertInto('recipients').values(m.recipients.map((r) => rows.recipientRow(m, r))).execute();
        }
        if (m.events.length > 0) await trx.insertInto('events').values(m.events.map(rows.eventRow)).execute();
      }
    });
  });

  const store: Store = {
    capabilities: SQLITE_CAPABILITIES,
    blobs,

    acceptMessage: (message) => committer.submit(message),

    async createUser(user) {
      await db.insertInto('users').values(rows.userRow(user)).execute();
    },
    async getUserByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
      return row && rows.toUser(row);
    },
    async getUserById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && rows.toUser(row);
    },
    async listUsers() {
      return (await db.selectFrom('users').selectAll().orderBy('email').execute()).map(rows.toUser);
    },
    async addDelegation(userId, address) {
      await db
        .insertInto('delegations')
        .values({ user_id: userId, address: address.toLowerCase() })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async listDelegations(userId) {
      const found = await db.selectFrom('delegations').select('address').where('user_id', '=', userId).execute();
      return found.map((r) => r.address);
    },

    async createApiApp(app) {
      await db.insertInto('api_apps').values(rows.apiAppRow(app)).execute();
    },
    async getApiApp(appId) {
      const row = await db.selectFrom('api_apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && rows.toApiApp(row);
    },
    async createApiKey(key) {
      await db.insertInto('api_keys').values(rows.apiKeyRow(key)).execute();
    },
    async getApiKey(accessKey) {
      const row = await db.selectFrom('api_keys').selectAll().where('access_key', '=', accessKey).executeTakeFirst();
      return row && rows.toApiKey(row);
    },
    async rememberRequestId(id, now, keepMs) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('request_ids').where('seen_at', '<', now - keepMs).execute();
        const inserted = await trx
          .insertInto('request_ids')
          .values({ id, seen_at: now })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
      });
    },

    async putDkimKey(key) {
      await db.insertInto('dkim_keys').values(rows.dkimRow(key)).execute();
    },
    async getDkimKey(domain) {
      const row = await db
        .selectFrom('dkim_keys')
        .selectAll()
        .where('domain', '=', domain.toLowerCase())
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && rows.toDkimKey(row);
    },

    async createFile(file) {
      await db.insertInto('files').values(rows.fileRow(file)).execute();
    },
    async getFile(id) {
      const row = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
      return row && rows.toFile(row);
    },

    async getMessage(id) {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && rows.toMessage(row);
    },
    async listRecipients(messageId) {
      const found = await db.selectFrom('recipients').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
      return found.map(rows.toRecipient);
    },
    async listEvents(messageId) {
      const found = await db.selectFrom('events').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
      return found.map(rows.toEvent);
    },
    async appendEvents(events: NewEvent[]) {
      if (events.length > 0) await db.insertInto('events').values(events.map(rows.eventRow)).execute();
    },

    async leaseDeliveries({ owner, limit, now, leaseMs }) {
      return db.transaction().execute(async (trx) => {
        const due = await trx
          .selectFrom('recipients as r')
          .innerJoin('messages as m', 'm.id', 'r.message_id')
          .select([
            'r.id',
            'r.message_id',
            'r.address',
            'r.domain',
            'r.transport',
            'r.attempts',
            'm.mail_from',
            'm.subject',
            'm.blob_key',
            'm.received_at',
            'm.expires_at',
          ])
          .where('r.status', 'in', WAITING)
          .where('r.next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('r.lease_until', 'is', null), eb('r.lease_until', '<', now)]))
          .orderBy('r.next_attempt_at')
          .limit(limit)
          .execute();
        if (due.length === 0) return [];
        const leaseUntil = now + leaseMs;
        await trx
          .updateTable('recipients')
          .set({ lease_owner: owner, lease_until: leaseUntil, updated_at: now })
          .where(
            'id',
            'in',
            due.map((d) => d.id),
          )
          .execute();
        return due.map(
          (d): DeliveryJob => ({
            recipientId: d.id,
            messageId: d.message_id,
            address: d.address,
            domain: d.domain,
            transport: d.transport as TransportName,
            attempts: d.attempts,
            mailFrom: d.mail_from,
            subject: d.subject,
            blobKey: d.blob_key,
            receivedAt: d.received_at,
            expiresAt: d.expires_at,
            leaseOwner: owner,
            leaseUntil,
          }),
        );
      });
    },

    async settleDelivery(s, now) {
      return db.transaction().execute(async (trx) => {
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
        if (Number(updated.numUpdatedRows) !== 1) return false;
        if (s.events.length > 0) await trx.insertInto('events').values(s.events.map(rows.eventRow)).execute();
        const states = await trx.selectFrom('recipients').select('status').where('message_id', '=', s.messageId).execute();
        await trx
          .updateTable('messages')
          .set({ status: messageStatusOf(states.map((r) => r.status as RecipientStatus)) })
          .where('id', '=', s.messageId)
          .execute();
        return true;
      });
    },

    async nextDueAt() {
      const row = await db
        .selectFrom('recipients')
        .select(sql<number | null>`min(max(next_attempt_at, coalesce(lease_until, 0)))`.as('due'))
        .where('status', 'in', WAITING)
        .executeTakeFirst();
      return row?.due ?? undefined;
    },

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

    async close() {
      await db.destroy();
    },
  };
  return store;
}

