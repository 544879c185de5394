/** Rows of the `blobs` table (both backends): one immutable content per key. */
import { assertBlobKey } from '../blob-key.js';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { compiledOnce } from './compiled-once.js';

/**
 * Inserts a blob row in the caller's transaction; a key names one content, so a repeated insert (a
 * retry whose first commit landed) changes nothing. One per store (compiled-once.ts).
 */
export function blobRowInserter(): (on: Kysely<Database>, key: string, data: Buffer) => Promise<void> {
  const insert = compiledOnce(
    (on, row: { key: string; data: Buffer; created_at: number }) => on.insertInto('blobs').values(row).onConflict((oc) => oc.column('key').doNothing()),
    (row) => [row.key, row.data, row.created_at],
  );
  return async (on, key, data) => {
    assertBlobKey(key);
    await insert(on, { key, data, created_at: Date.now() });
  };
}
