/** Upload quotas and the upload sweep over any Kysely backend (src/store/upload-store.ts). */
import type { Kysely, Transaction } from 'kysely';
import { chunkBlobKey } from '../../core/storage/draft-store.js';
import { uploadSessionRow } from '../draft-rows.js';
import { fileRow } from '../message-rows.js';
import type { Database } from '../schema.js';
import type { QuotaVerdict, UploadQuota, UploadStore, UploadUsage } from '../../core/storage/upload-store.js';

type Db = Kysely<Database> | Transaction<Database>;

async function usageOf(db: Db, userId: string, now: number): Promise<UploadUsage> {
  const files = await db
    .selectFrom('files')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('bytes'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  const sessions = await db
    .selectFrom('upload_sessions')
    .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('bytes'), eb.fn.countAll<number>().as('open')])
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const attachments = await db
    .selectFrom('draft_attachments')
    .innerJoin('drafts', 'drafts.id', 'draft_attachments.draft_id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('draft_attachments.size'), eb.lit(0)).as('bytes'))
    .where('drafts.user_id', '=', userId)
    .executeTakeFirst();
  return {
    bytes: Number(files?.bytes ?? 0) + Number(sessions?.bytes ?? 0) + Number(attachments?.bytes ?? 0),
    sessions: Number(sessions?.open ?? 0),
  };
}

/**
 * Checks a new upload against the quota inside the transaction that stores it. Touching the user's
 * row first serialises concurrent uploads of one user (PostgreSQL holds the row lock until commit;
 * SQLite has one writer), so two requests cannot both fit into the same remaining room.
 */
async function checkQuota(trx: Transaction<Database>, userId: string, quota: UploadQuota, now: number, bytes: number, session: boolean): Promise<QuotaVerdict> {
  await trx.updateTable('users').set((eb) => ({ name: eb.ref('name') })).where('id', '=', userId).execute();
  const usage = await usageOf(trx, userId, now);
  if (session && usage.sessions + 1 > quota.maxSessions) return 'sessions';
  if (usage.bytes + bytes > quota.maxBytes) return 'bytes';
  return 'ok';
}

export function uploadQueries(db: Kysely<Database>): UploadStore {
  return {
    uploadUsage: (userId, now) => usageOf(db, userId, now),
    async createUploadSessionWithinQuota(session, quota, now) {
      return db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('upload_sessions').select('id').where('id', '=', session.id).executeTakeFirst()) return 'ok';
        const draft = await trx.selectFrom('drafts').select('user_id').where('id', '=', session.draftId).executeTakeFirstOrThrow();
        const verdict = await checkQuota(trx, draft.user_id, quota, now, session.size, true);
        if (verdict === 'ok') await trx.insertInto('upload_sessions').values({ ...uploadSessionRow(session), user_id: draft.user_id }).execute();
        return verdict;
      });
    },
    async createFileWithinQuota(file, quota, now) {
      return db.transaction().execute(async (trx) => {
        // A retry of a write that landed: the file counts against the quota already, and is ours.
        if (await trx.selectFrom('files').select('id').where('id', '=', file.id).executeTakeFirst()) return 'ok';
        const verdict = await checkQuota(trx, file.userId, quota, now, file.size, false);
        if (verdict === 'ok') await trx.insertInto('files').values(fileRow(file)).execute();
        return verdict;
      });
    },
    async markFilesUsed(ids, now) {
      if (ids.length === 0) return;
      await db.updateTable('files').set({ used_at: now }).where('id', 'in', [...ids]).where('used_at', 'is', null).execute();
    },
    async takeExpiredUploadSessions(now, limit) {
      const due = await db.selectFrom('upload_sessions').select('id').where('expires_at', '<=', now).orderBy('expires_at').limit(limit).execute();
      if (due.length === 0) return [];
      // Re-checked in the delete: a chunk that arrived since the select has extended its session.
      const gone = await db
        .deleteFrom('upload_sessions')
        .where('id', 'in', due.map((d) => d.id))
        .where('expires_at', '<=', now)
        .returning(['id', 'chunks'])
        .execute();
      return gone.map((s) => Array.from({ length: Number(s.chunks) }, (_, i) => chunkBlobKey(s.id, i)));
    },
    async takeUnusedFiles(before, limit) {
      const due = await db
        .selectFrom('files')
        .select('id')
        .where('used_at', 'is', null)
        .where('created_at', '<', before)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      if (due.length === 0) return [];
      // Re-checked in the delete: a send may have referenced a file since the select.
      const gone = await db
        .deleteFrom('files')
        .where('id', 'in', due.map((d) => d.id))
        .where('used_at', 'is', null)
        .returning('blob_key')
        .execute();
      return gone.map((f) => f.blob_key);
    },
  };
}
