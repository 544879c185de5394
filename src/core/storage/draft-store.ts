/** The storage side of drafts (Graph `POST /messages`), their attachments and upload sessions. */

export interface DraftRecord {
  id: string;
  userId: string;
  /** The dialect's writable message properties, as the client sent them (Graph message JSON). */
  message: Record<string, unknown>;
  /** Set for drafts created from client MIME: those bytes are sent as they are. */
  mimeBlobKey: string | null;
  internetMessageId: string;
  createdAt: number;
  updatedAt: number;
}

/** An attachment of a draft; the bytes are the concatenation of `blobKeys`, in order. */
export interface DraftAttachmentRecord {
  id: string;
  draftId: string;
  name: string;
  contentType: string | null;
  contentId: string | null;
  isInline: boolean;
  size: number;
  blobKeys: string[];
  createdAt: number;
}

/** A large attachment arriving in ordered chunks; chunk `n` is stored as blob `chunkBlobKey(id, n)`. */
export interface UploadSessionRecord {
  id: string;
  draftId: string;
  name: string;
  contentType: string | null;
  contentId: string | null;
  isInline: boolean;
  size: number;
  /** Bytes received so far, always a prefix of the file. */
  received: number;
  chunks: number;
  /** Graph sessions expire when idle: each recorded chunk moves this forward (docs/vendor-apis.md). */
  expiresAt: number;
  createdAt: number;
  /** The draft's owner, whose upload quota the session counts against; set by the store from the draft. */
  userId?: string;
  /** The OAuth app that opened the session: its chunk PUTs count against that app+mailbox throttle. */
  clientId?: string | null;
}

/** Where chunk `index` of an upload session lives in the blob store. */
export function chunkBlobKey(sessionId: string, index: number): string {
  return `upload-${sessionId}-${index}`;
}

export interface DraftStore {
  createDraft(draft: DraftRecord): Promise<void>;
  getDraft(userId: string, id: string): Promise<DraftRecord | undefined>;
  updateDraft(id: string, message: Record<string, unknown>, updatedAt: number): Promise<void>;
  /** Deletes the draft with its attachments and sessions; returns the blob keys no row refers to any more. */
  deleteDraft(id: string): Promise<string[]>;

  addDraftAttachment(attachment: DraftAttachmentRecord): Promise<void>;
  listDraftAttachments(draftId: string): Promise<DraftAttachmentRecord[]>;

  createUploadSession(session: UploadSessionRecord): Promise<void>;
  getUploadSession(id: string): Promise<UploadSessionRecord | undefined>;
  /**
   * Records a chunk that extended `received` from `from` to `to`; false when another request
   * recorded a chunk first (the caller's bytes are then not part of the file). `expiresAt`, when
   * given, is the session's new expiry (activity extends an idle session).
   */
  recordUploadChunk(id: string, from: number, to: number, expiresAt?: number): Promise<boolean>;
  /** Turns a completed session into a draft attachment, atomically. */
  completeUploadSession(id: string, attachment: DraftAttachmentRecord): Promise<void>;
  /** Removes a session; returns its chunk blob keys. */
  deleteUploadSession(id: string): Promise<string[]>;
}
