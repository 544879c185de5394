/** The SQLite backend's blobs: files under a directory, fsynced (file and directory) before `put` resolves. */
import { createHash, randomBytes } from 'node:crypto';
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { MailgateError } from '../../core/errors.js';
import type { BlobStore } from '../../core/ports.js';
import { assertBlobKey } from '../blob-key.js';

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

  async function ensureDir(dir: string): Promise<void> {
    if (created.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await fsyncPath(root);
    created.add(dir);
  }

  return {
    async put(key, data) {
      const { dir, file } = locate(key);
      await ensureDir(dir);
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
    async putStream(key, source, maxBytes) {
      const { dir, file } = locate(key);
      await ensureDir(dir);
      // A temp name of its own: a retried request may stream the same key while the first still runs.
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      const hash = createHash('sha256');
      let size = 0;
      const handle = await open(temp, 'w', 0o600);
      try {
        // for-await pulls the next piece only after this one is written: the socket is paused meanwhile.
        for await (const piece of source) {
          size += piece.length;
          if (size > maxBytes) throw new MailgateError('too_large', `The content is larger than ${maxBytes} bytes`);
          hash.update(piece);
          await handle.writeFile(piece);
        }
        await handle.sync();
      } catch (error) {
        await handle.close();
        await rm(temp, { force: true });
        throw error;
      }
      await handle.close();
      await rename(temp, file);
      await fsyncPath(dir);
      return { size, sha256: hash.digest('hex') };
    },
    async get(key) {
      return readFile(locate(key).file);
    },
    async read(key) {
      const { file } = locate(key);
      const { size } = await stat(file);
      return {
        size,
        async eightBit() {
          for await (const piece of createReadStream(file)) if (!isAscii(piece as Buffer)) return true;
          return false;
        },
        stream: () => createReadStream(file),
      };
    },
    async delete(key) {
      await rm(locate(key).file, { force: true });
    },
  };
}
