/** The storage side of upload limits: per-user pending bytes and sessions, and what the sweep removes. */
import type { UploadSessionRecord } from './draft-store.js';
import type { FileRecord } from './records.js';

/** A user's allowance of pending upload bytes and open upload sessions. */
export interface UploadQuota {
  maxBytes: number;
  maxSessions: number;
}

/** Pending bytes: unsent Mimecast uploads, the declared size of open Graph sessions, draft attachments. */
export interface UploadUsage {
  bytes: number;
  sessions: number;
}

/** `ok`, or which allowance the new upload would exceed (nothing was stored then). */
export type QuotaVerdict = 'ok' | 'bytes' | 'sessions';

export interface UploadStore {
  /** What `userId` holds now; sessions expired at `now` no longer count. */
  uploadUsage(userId: string, now: number): Promise<UploadUsage>;
  /** Opens a session (reserving its declared size) only if the owner stays within `quota`. */
  createUploadSessionWithinQuota(session: UploadSessionRecord, quota: UploadQuota, now: number): Promise<QuotaVerdict>;
  /** Records an uploaded file (its blob already durable) only if its owner stays within `quota`. */
  createFileWithinQuota(file: FileRecord, quota: UploadQuota, now: number): Promise<QuotaVerdict>;
  /** Marks files as referenced by a send: no longer pending, never purged as unused. */
  markFilesUsed(ids: readonly string[], now: number): Promise<void>;
  /** Removes up to `limit` sessions expired at `now`; returns their chunk blob keys, to delete next. */
  takeExpiredUploadSessions(now: number, limit: number): Promise<string[][]>;
  /** Removes up to `limit` files never referenced and created before `before`; returns their blob keys. */
  takeUnusedFiles(before: number, limit: number): Promise<string[]>;
}
