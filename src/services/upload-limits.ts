/**
 * Per-user upload limits shared by every dialect that takes uploads (Mimecast file-upload, Graph
 * upload sessions and draft attachments): pending bytes and open sessions, refused as
 * `quota_exceeded` with nothing stored.
 */
import type { Config } from '../config/config.js';
import { MailgateError } from '../core/errors.js';
import type { Store } from '../core/storage/store.js';
import type { QuotaVerdict, UploadQuota } from '../core/storage/upload-store.js';

export function uploadQuotaOf(config: Pick<Config, 'uploadQuotaBytes' | 'uploadSessionsMax'>): UploadQuota {
  return { maxBytes: config.uploadQuotaBytes, maxSessions: config.uploadSessionsMax };
}

/** Throws `quota_exceeded` for a refusing verdict. */
export function assertWithinQuota(verdict: QuotaVerdict, quota: UploadQuota): void {
  if (verdict === 'sessions') throw new MailgateError('quota_exceeded', `At most ${quota.maxSessions} upload sessions may be open at once.`);
  if (verdict === 'bytes') throw new MailgateError('quota_exceeded', `Pending uploads may total at most ${quota.maxBytes} bytes.`);
}

/**
 * A cheap check before a body is read, so that an upload that cannot fit is refused without
 * receiving it; the store checks again, atomically, when the upload is recorded.
 */
export async function assertRoomFor(store: Store, userId: string, bytes: number, quota: UploadQuota, now: number): Promise<void> {
  const usage = await store.uploadUsage(userId, now);
  assertWithinQuota(usage.bytes + bytes > quota.maxBytes ? 'bytes' : 'ok', quota);
}
