import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileBlobStore } from '../src/store/sqlite/blob-store.js';
import { withRecentBlobCache } from '../src/store/recent-blob-cache.js';
import { withTempDir } from './helpers/temp-dir.js';

/** The file a key lands in (sqlite/blob-store.ts shards by the key's last two characters). */
const fileOf = (root: string, key: string) => path.join(root, key.slice(-2), key);

describe('withRecentBlobCache', () => {
  it('serves recent writes from memory, still writes them durably, and evicts the oldest past its budget', async () => {
    const { dir: root, remove } = await withTempDir();
    try {
      const blobs = withRecentBlobCache(createFileBlobStore(root), 100);
      await blobs.put('blob-aaaa01', Buffer.alloc(20, 1));
      await blobs.put('blob-aaaa02', Buffer.alloc(20, 2));
      // Both are on disk: the cache never stands in for the inner store's write.
      expect((await createFileBlobStore(root).get('blob-aaaa01')).equals(Buffer.alloc(20, 1))).toBe(true);

      await rm(fileOf(root, 'blob-aaaa01'));
      expect((await blobs.get('blob-aaaa01')).equals(Buffer.alloc(20, 1))).toBe(true);

      // 20 + 20 + 3 × 20 = 100 stays; one more write evicts the oldest (blob-aaaa01, whose file is gone).
      for (const key of ['blob-aaaa03', 'blob-aaaa04', 'blob-aaaa05', 'blob-aaaa06']) await blobs.put(key, Buffer.alloc(20, 9));
      await expect(blobs.get('blob-aaaa01')).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await blobs.get('blob-aaaa02')).equals(Buffer.alloc(20, 2))).toBe(true);
    } finally {
      await remove();
    }
  });

  it('does not cache blobs over a quarter of the budget, and forgets deleted ones', async () => {
    const { dir: root, remove } = await withTempDir();
    try {
      const blobs = withRecentBlobCache(createFileBlobStore(root), 100);
      await blobs.put('blob-bbbb01', Buffer.alloc(26, 1));
      await rm(fileOf(root, 'blob-bbbb01'));
      await expect(blobs.get('blob-bbbb01')).rejects.toMatchObject({ code: 'ENOENT' });

      await blobs.put('blob-bbbb02', Buffer.alloc(10, 2));
      await blobs.delete('blob-bbbb02');
      await expect(blobs.get('blob-bbbb02')).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await remove();
    }
  });
});
