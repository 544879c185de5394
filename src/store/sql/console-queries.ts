/** Console sessions and the console overview's aggregates over any Kysely backend. */
import { sql, type Kysely } from 'kysely';
import type { ConsoleSessionRecord, ConsoleStore } from '../../core/storage/console-store.js';
import type { WriteBatcher } from '../group-commit.js';
import type { Database } from '../schema.js';

const WAITING = ['queued', 'deferred'];

function toSession(row: Database['console_sessions']): ConsoleSessionRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
  };
}

export function consoleQueries(db: Kysely<Database>, writes: WriteBatcher): ConsoleStore {
  return {
    async createConsoleSession(s) {
      await writes.run((trx) =>
        trx
          .insertInto('console_sessions')
          .values({ token_hash: s.tokenHash, user_id: s.userId, created_at: s.createdAt, last_seen_at: s.lastSeenAt, expires_at: s.expiresAt })
          .execute(),
      );
    },
    async getConsoleSession(tokenHash) {
      const row = await db.selectFrom('console_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toSession(row);
    },
    async touchConsoleSession(tokenHash, lastSeenAt) {
      await writes.run((trx) => trx.updateTable('console_sessions').set({ last_seen_at: lastSeenAt }).where('token_hash', '=', tokenHash).execute());
    },
    async deleteConsoleSession(tokenHash) {
      await writes.run((trx) => trx.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute());
    },
    async deleteStaleConsoleSessions(now, idleBefore) {
      const deleted = await writes.run((trx) =>
        trx
          .deleteFrom('console_sessions')
          .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
          .executeTakeFirst(),
      );
      return Number(deleted.numDeletedRows);
    },
    async countActivity(kinds, start, end, bucketMs) {
      if (kinds.length === 0) return [];
      // An integer literal: both backends then divide integers, and PostgreSQL needs no parameter type.
      const bucket = sql<number | string>`${sql.ref('at')} / ${sql.lit(Math.trunc(bucketMs))}`;
      const rows = await db
        .selectFrom('events')
        .select(['kind', bucket.as('bucket'), (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('kind', 'in', [...kinds])
        .where('at', '>=', start)
        .where('at', '<', end)
        .groupBy(['kind', bucket])
        .execute();
      return rows.map((r) => ({ kind: r.kind, bucket: Number(r.bucket), count: Number(r.n) }));
    },
    async queueDepth() {
      // Two index reads instead of a join over every waiting recipient: the count from the
      // recipients_due partial index, the oldest from messages_status_received (a message with a
      // waiting recipient is `queued` unless another recipient is held, which tracking shows as held).
      const waiting = await db
        .selectFrom('recipients')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('status', 'in', WAITING)
        .executeTakeFirst();
      const oldest = await db
        .selectFrom('messages')
        .select((eb) => eb.fn.min('received_at').as('at'))
        .where('status', '=', 'queued')
        .executeTakeFirst();
      const at = oldest?.at;
      return { waiting: Number(waiting?.n ?? 0), oldestReceivedAt: at === null || at === undefined ? null : Number(at) };
    },
    async countBySource(start) {
      const rows = await db
        .selectFrom('messages')
        .select(['source', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('received_at', '>=', start)
        .groupBy('source')
        .orderBy('source')
        .execute();
      return rows.map((r) => ({ source: r.source, count: Number(r.n) }));
    },
  };
}
