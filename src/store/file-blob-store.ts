/** Blobs as files under a directory, fsynced (file and directory) before `put` resolves. */
import { mkdir, open, readFile, rm, rename } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../core/ports.js';
import { assertBlobKey } from './blob-key.js';


async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function createFileBlobStore(root: string): BlobStore {
  const created = new Set<string>();

  function locate(key: string): { dir: string; file: string } {
    // Keys come from our own id generator; refusing anything else keeps paths inside root.
    assertBlobKey(key);
    const dir = path.join(root, key.slice(-2));
    return { dir, file: path.join(dir, key) };
  }

  return {
    async put(key, data) {
      const { dir, file } = locate(key);
      if (!created.has(dir)) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await fsyncPath(root);
        created.add(dir);
      }
      const temp = `${file}.tmp`;
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
      await fsyncPath(dir);
    },
    async get(key) {
      return readFile(locate(key).file);
    },
    async delete(key) {
      await rm(locate(key).file, { force: true });
    },
  };
}
