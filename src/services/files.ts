/**
 * Uploaded files (Mimecast file-upload), from the bytes arriving to a send using them: streamed to
 * the blob store with their size and sha256 checked on the way, counted against the user's upload
 * quota until a send references them (docs/vendor-apis.md#send-email-and-file-upload).
 */
import type { Config } from '../config/config.js';
import { isMailgateError, MailgateError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/ports.js';
import type { Store } from '../core/storage/store.js';
import { assertRoomFor, assertWithinQuota, uploadQuotaOf } from './upload-limits.js';

/** The files a send may use: the user's own, remembered so they can be marked used once it is accepted. */
export interface FileUse {
  content(id: string): Promise<Buffer | undefined>;
  /** No longer a pending upload (quota) and never purged as unused. */
  markUsed(): Promise<void>;
}

export interface FileService {
  /** Refuses an upload that cannot fit before its body is read. */
  assertRoom(userId: string, bytes: number): Promise<void>;
  /** Stores the body as a file of `userId`; the declared size and sha256 must match. Answers its id. */
  upload(userId: string, body: AsyncIterable<Uint8Array>, declared: { size: number; sha256: string }): Promise<string>;
  use(userId: string): FileUse;
}

export function createFileService(deps: { store: Store; clock: Clock; config: Pick<Config, 'uploadQuotaBytes' | 'uploadSessionsMax'> }): FileService {
  const { store, clock } = deps;
  const quota = uploadQuotaOf(deps.config);
  return {
    assertRoom: (userId, bytes) => assertRoomFor(store, userId, bytes, quota, clock.now()),

    async upload(userId, body, declared) {
      const id = newId(clock.now());
      let stored;
      try {
        stored = await store.blobs.putStream(id, body, declared.size);
      } catch (error) {
        if (isMailgateError(error) && error.code === 'too_large') {
          throw new MailgateError('checksum_mismatch', `More than the declared fileSize ${declared.size} bytes were sent`, 'fileSize');
        }
        throw error;
      }
      try {
        if (stored.size !== declared.size) {
          throw new MailgateError('checksum_mismatch', `fileSize ${declared.size} does not match the ${stored.size} bytes sent`, 'fileSize');
        }
        if (stored.sha256 !== declared.sha256.toLowerCase()) throw new MailgateError('checksum_mismatch', 'sha256 does not match the bytes sent', 'sha256');
        const file = { id, userId, size: stored.size, sha256: stored.sha256, blobKey: id, createdAt: clock.now() };
        assertWithinQuota(await store.createFileWithinQuota(file, quota, clock.now()), quota);
      } catch (error) {
        // Refused after the bytes were written: they must not outlive the refusal.
        await store.blobs.delete(id);
        throw error;
      }
      return id;
    },

    use(userId) {
      const used = new Set<string>();
      return {
        async content(id) {
          const file = await store.getFile(id);
          if (!file || file.userId !== userId) return undefined;
          used.add(file.id);
          return store.blobs.get(file.blobKey);
        },
        markUsed: () => store.markFilesUsed([...used], clock.now()),
      };
    },
  };
}
