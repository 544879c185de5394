/** Conversions between drafts, their attachments, upload sessions and table rows. */
import type { DraftAttachmentRecord, DraftRecord, UploadSessionRecord } from '../core/storage/draft-store.js';
import type { Row, Selected } from './row-types.js';

export const draftRow = (d: DraftRecord): Row<'drafts'> => ({
  id: d.id,
  user_id: d.userId,
  message: JSON.stringify(d.message),
  mime_blob_key: d.mimeBlobKey,
  internet_message_id: d.internetMessageId,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
});
export const toDraft = (r: Selected<'drafts'>): DraftRecord => ({
  id: r.id,
  userId: r.user_id,
  message: JSON.parse(r.message) as Record<string, unknown>,
  mimeBlobKey: r.mime_blob_key,
  internetMessageId: r.internet_message_id,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export const draftAttachmentRow = (a: DraftAttachmentRecord): Row<'draft_attachments'> => ({
  id: a.id,
  draft_id: a.draftId,
  name: a.name,
  content_type: a.contentType,
  content_id: a.contentId,
  is_inline: a.isInline ? 1 : 0,
  size: a.size,
  blob_keys: JSON.stringify(a.blobKeys),
  created_at: a.createdAt,
});
export const toDraftAttachment = (r: Selected<'draft_attachments'>): DraftAttachmentRecord => ({
  id: r.id,
  draftId: r.draft_id,
  name: r.name,
  contentType: r.content_type,
  contentId: r.content_id,
  isInline: Boolean(r.is_inline),
  size: Number(r.size),
  blobKeys: JSON.parse(r.blob_keys) as string[],
  createdAt: Number(r.created_at),
});

/** The owner (`user_id`) is not part of it: the insert takes it from the draft. */
export const uploadSessionRow = (u: UploadSessionRecord): Omit<Row<'upload_sessions'>, 'user_id'> => ({
  id: u.id,
  draft_id: u.draftId,
  name: u.name,
  content_type: u.contentType,
  content_id: u.contentId,
  is_inline: u.isInline ? 1 : 0,
  size: u.size,
  received: u.received,
  chunks: u.chunks,
  expires_at: u.expiresAt,
  created_at: u.createdAt,
  client_id: u.clientId ?? null,
});
export const toUploadSession = (r: Selected<'upload_sessions'>): UploadSessionRecord => ({
  id: r.id,
  draftId: r.draft_id,
  name: r.name,
  contentType: r.content_type,
  contentId: r.content_id,
  isInline: Boolean(r.is_inline),
  size: Number(r.size),
  received: Number(r.received),
  chunks: Number(r.chunks),
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
  userId: r.user_id,
  clientId: r.client_id,
});
