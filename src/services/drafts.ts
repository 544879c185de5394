/**
 * Graph drafts and what hangs off them: attachments (bytes first, then the row, so a row never
 * points at nothing), upload sessions filled chunk by chunk, and removal once a draft is sent.
 * Every attachment byte counts against the user's upload quota until the draft is sent.
 */
import type { Config } from '../config/config.js';
import { MailgateError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AttachmentInput } from '../core/message.js';
import type { Clock, StreamedBlob } from '../core/ports.js';
import { chunkBlobKey, type DraftAttachmentRecord, type DraftRecord, type UploadSessionRecord } from '../core/storage/draft-store.js';
import type { Store } from '../core/storage/store.js';
import { assertRoomFor, assertWithinQuota, uploadQuotaOf } from './upload-limits.js';

export interface DraftService {
  /** The user's draft, or `not_found`. */
  require(userId: string, id: string): Promise<DraftRecord>;
  find(userId: string, id: string): Promise<DraftRecord | undefined>;
  /** Stores a new draft (its MIME bytes, when it is a MIME draft) with its inline attachments. */
  create(draft: DraftRecord, content: { mime?: Buffer; attachments: AttachmentInput[] }): Promise<DraftAttachmentRecord[]>;
  update(id: string, message: Record<string, unknown>, now: number): Promise<void>;
  attachments(draftId: string): Promise<DraftAttachmentRecord[]>;
  addAttachment(draft: DraftRecord, attachment: AttachmentInput): Promise<DraftAttachmentRecord>;
  /** The attachments as a message is built from them (upload-session chunks joined). */
  attachmentInputs(draftId: string): Promise<AttachmentInput[]>;
  /** The bytes of a MIME draft. */
  mime(draft: DraftRecord & { mimeBlobKey: string }): Promise<Buffer>;
  /** Deletes a draft, then its bytes. */
  remove(draftId: string): Promise<void>;
  /** Opens an upload session; its declared size is reserved against the quota at once. */
  openUploadSession(session: UploadSessionRecord): Promise<void>;
  uploadSession(id: string): Promise<UploadSessionRecord | undefined>;
  /**
   * Stores the next chunk of a session; false when another request stored it first. `expiresAt`
   * is the session's new idle expiry. The last chunk makes the attachment, answered with its id.
   */
  storeChunk(
    session: UploadSessionRecord,
    range: { start: number; end: number },
    body: AsyncIterable<Uint8Array>,
    expiresAt: number,
  ): Promise<{ stored: false } | { stored: true; attachmentId?: string }>;
  cancelUploadSession(id: string): Promise<void>;
}

export function createDraftService(deps: { store: Store; clock: Clock; config: Pick<Config, 'uploadQuotaBytes' | 'uploadSessionsMax'> }): DraftService {
  const { store, clock } = deps;
  const quota = uploadQuotaOf(deps.config);

  async function deleteBlobs(keys: readonly string[]): Promise<void> {
    for (const key of keys) await store.blobs.delete(key);
  }

  async function storeAttachment(draftId: string, attachment: AttachmentInput, now: number): Promise<DraftAttachmentRecord> {
    const id = newId(now);
    const blobKey = `att-${id}`;
    await store.blobs.put(blobKey, attachment.content);
    const record: DraftAttachmentRecord = {
      id,
      draftId,
      name: attachment.filename,
      contentType: attachment.contentType ?? null,
      contentId: attachment.contentId ?? null,
      isInline: attachment.inline ?? false,
      size: attachment.content.length,
      blobKeys: [blobKey],
      createdAt: now,
    };
    await store.addDraftAttachment(record);
    return record;
  }

  async function putChunk(key: string, body: AsyncIterable<Uint8Array>, length: number, range: { start: number; end: number }): Promise<StreamedBlob> {
    const mismatch = (sent: string) => new MailgateError('invalid_value', `Content-Range ${range.start}-${range.end} does not match ${sent}`, 'Content-Range');
    const stored = await store.blobs.putStream(key, body, length).catch((error: unknown) => {
      throw error instanceof MailgateError && error.code === 'too_large' ? mismatch('the bytes sent') : error;
    });
    if (stored.size !== length) {
      await store.blobs.delete(key);
      throw mismatch(`the ${stored.size} bytes sent`);
    }
    return stored;
  }

  return {
    async require(userId, id) {
      const draft = await store.getDraft(userId, id);
      if (!draft) throw new MailgateError('not_found', 'The specified object was not found in the store.');
      return draft;
    },
    find: (userId, id) => store.getDraft(userId, id),

    async create(draft, content) {
      const now = clock.now();
      const inlineBytes = content.attachments.reduce((sum, a) => sum + a.content.length, 0);
      if (inlineBytes > 0) await assertRoomFor(store, draft.userId, inlineBytes, quota, now);
      if (content.mime && draft.mimeBlobKey) await store.blobs.put(draft.mimeBlobKey, content.mime);
      await store.createDraft(draft);
      const records = [];
      for (const a of content.attachments) records.push(await storeAttachment(draft.id, a, now));
      return records;
    },
    update: (id, message, now) => store.updateDraft(id, message, now),
    attachments: (draftId) => store.listDraftAttachments(draftId),

    async addAttachment(draft, attachment) {
      await assertRoomFor(store, draft.userId, attachment.content.length, quota, clock.now());
      return storeAttachment(draft.id, attachment, clock.now());
    },

    async attachmentInputs(draftId) {
      const out: AttachmentInput[] = [];
      for (const a of await store.listDraftAttachments(draftId)) {
        // Upload sessions leave one blob per chunk; they are joined only now, when the message is built.
        const parts = await Promise.all(a.blobKeys.map((key) => store.blobs.get(key)));
        const input: AttachmentInput = { filename: a.name, content: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), inline: a.isInline };
        if (a.contentType) input.contentType = a.contentType;
        if (a.contentId) input.contentId = a.contentId;
        out.push(input);
      }
      return out;
    },
    mime: (draft) => store.blobs.get(draft.mimeBlobKey),
    remove: async (draftId) => deleteBlobs(await store.deleteDraft(draftId)),

    async openUploadSession(session) {
      assertWithinQuota(await store.createUploadSessionWithinQuota(session, quota, clock.now()), quota);
    },
    uploadSession: (id) => store.getUploadSession(id),

    async storeChunk(session, range, body, expiresAt) {
      const key = chunkBlobKey(session.id, session.chunks);
      await putChunk(key, body, range.end - range.start + 1, range);
      // Bytes first, then the compare-and-set that makes them part of the file; activity extends the session.
      if (!(await store.recordUploadChunk(session.id, range.start, range.end + 1, expiresAt))) return { stored: false };
      if (range.end + 1 < session.size) return { stored: true };
      const attachmentId = newId(clock.now());
      await store.completeUploadSession(session.id, {
        id: attachmentId,
        draftId: session.draftId,
        name: session.name,
        contentType: session.contentType,
        contentId: session.contentId,
        isInline: session.isInline,
        size: session.size,
        blobKeys: Array.from({ length: session.chunks + 1 }, (_, i) => chunkBlobKey(session.id, i)),
        createdAt: clock.now(),
      });
      return { stored: true, attachmentId };
    },
    cancelUploadSession: async (id) => deleteBlobs(await store.deleteUploadSession(id)),
  };
}
