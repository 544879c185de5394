/** Drafts, their attachments and large-attachment upload sessions over any Kysely backend. */
import type { Kysely } from 'kysely';
import { chunkBlobKey, type DraftStore } from '../../core/storage/draft-store.js';
import { draftAttachmentRow, draftRow, toDraft, toDraftAttachment, toUploadSession, uploadSessionRow } from '../draft-rows.js';
import type { Database } from '../schema.js';

function chunkKeys(sessionId: string, chunks: number): string[] {
  return Array.from({ length: chunks }, (_, i) => chunkBlobKey(sessionId, i));
}

export function draftQueries(db: Kysely<Database>): DraftStore {
  return {
    async createDraft(draft) {
      await db.insertInto('drafts').values(draftRow(draft)).onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    async getDraft(userId, id) {
      const row = await db.selectFrom('drafts').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return row && toDraft(row);
    },
    async updateDraft(id, message, updatedAt) {
      await db.updateTable('drafts').set({ message: JSON.stringify(message), updated_at: updatedAt }).where('id', '=', id).execute();
    },
    async deleteDraft(id) {
      return db.transaction().execute(async (trx) => {
        const draft = await trx.selectFrom('drafts').select('mime_blob_key').where('id', '=', id).executeTakeFirst();
        if (!draft) return [];
        const attachments = await trx.selectFrom('draft_attachments').select('blob_keys').where('draft_id', '=', id).execute();
        const sessions = await trx.selectFrom('upload_sessions').select(['id', 'chunks']).where('draft_id', '=', id).execute();
        // Children first: the cascade is declared, but SQLite applies it only with foreign_keys on.
        await trx.deleteFrom('draft_attachments').where('draft_id', '=', id).execute();
        await trx.deleteFrom('upload_sessions').where('draft_id', '=', id).execute();
        await trx.deleteFrom('drafts').where('id', '=', id).execute();
        return [
          ...(draft.mime_blob_key ? [draft.mime_blob_key] : []),
          ...attachments.flatMap((a) => JSON.parse(a.blob_keys) as string[]),
          ...sessions.flatMap((s) => chunkKeys(s.id, Number(s.chunks))),
        ];
      });
    },
    async addDraftAttachment(attachment) {
      await db.insertInto('draft_attachments').values(draftAttachmentRow(attachment)).onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    async listDraftAttachments(draftId) {
      const found = await db
        .selectFrom('draft_attachments')
        .selectAll()
        .where('draft_id', '=', draftId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return found.map(toDraftAttachment);
    },
    async createUploadSession(session) {
      // The owner is the draft's: quotas and throttling read it from the session row.
      await db
        .insertInto('upload_sessions')
        .values((eb) => ({ ...uploadSessionRow(session), user_id: eb.selectFrom('drafts').select('user_id').where('id', '=', session.draftId) }))
        .execute();
    },
    async getUploadSession(id) {
      const row = await db.selectFrom('upload_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUploadSession(row);
    },
    async recordUploadChunk(id, from, to, expiresAt) {
      // Compare-and-set on `received`: two PUTs of the same range cannot both extend the file.
      const result = await db
        .updateTable('upload_sessions')
        .set((eb) => ({ received: to, chunks: eb('chunks', '+', 1), ...(expiresAt === undefined ? {} : { expires_at: expiresAt }) }))
        .where('id', '=', id)
        .where('received', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async completeUploadSession(id, attachment) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('draft_attachments').values(draftAttachmentRow(attachment)).onConflict((oc) => oc.column('id').doNothing()).execute();
        await trx.deleteFrom('upload_sessions').where('id', '=', id).execute();
      });
    },
    async deleteUploadSession(id) {
      return db.transaction().execute(async (trx) => {
        const session = await trx.selectFrom('upload_sessions').select('chunks').where('id', '=', id).executeTakeFirst();
        if (!session) return [];
        await trx.deleteFrom('upload_sessions').where('id', '=', id).execute();
        return chunkKeys(id, Number(session.chunks));
      });
    },
  };
}
