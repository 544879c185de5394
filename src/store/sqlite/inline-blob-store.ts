/**
 * The SQLite backend's blobs: up to INLINE_BLOB_MAX_BYTES as rows of the `blobs` table, larger ones
 * and streamed uploads as files (blob-store.ts). See docs/storage.md.
 *
 * A row is written without its own fsync (a relaxed write of the group commit): whatever refers to
 * the blob (the accepted message, a mailbox entry, a draft) is committed after it, and in WAL mode
 * that later durable commit's fsync carries every earlier frame, so a blob is on disk before
 * anything that names it. A blob lost in a crash was one nothing referred to yet.
 */
import type { Kysely } from 'kysely';
import type { BlobStore } from '../../core/ports.js';
import { assertBlobKey } from '../blob-key.js';
import { RELAXED, type WriteBatcher } from '../group-commit.js';
import { blobRowInserter } from '../sql/blob-rows.js';
import type { Database } from '../schema.js';

/** Larger blobs go to files: big rows would make every WAL checkpoint copy them again. */
export const INLINE_BLOB_MAX_BYTES = 256 * 1024;

export function createInlineBlobStore(db: Kysely<Database>, writes: WriteBatcher, files: BlobStore): BlobStore {
  const insertRow = blobRowInserter();

  async function inlineRow(key: string): Promise<Buffer | undefined> {
    assertBlobKey(key);
    const row = await db.selectFrom('blobs').select('data').where('key', '=', key).executeTakeFirst();
    return row ? Buffer.from(row.data) : undefined;
  }

  return {
    async put(key, data) {
      if (data.length > INLINE_BLOB_MAX_BYTES) return files.put(key, data);
      await writes.run((trx) => insertRow(trx, key, data), RELAXED);
    },
    putStream: (key, source, maxBytes) => files.putStream(key, source, maxBytes),
    async get(key) {
      return (await inlineRow(key)) ?? files.get(key);
    },
    async read(key) {
      return (await inlineRow(key)) ?? files.read(key);
    },
    async delete(key) {
      assertBlobKey(key);
      await writes.run((trx) => trx.deleteFrom('blobs').where('key', '=', key).execute(), RELAXED);
      await files.delete(key);
    },
  };
}
