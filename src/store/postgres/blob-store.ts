/**
 * Blobs as BYTEA rows, so that any gateway process on the database can deliver any message.
 * Streamed blobs (uploads) are stored as numbered pieces in `blob_pieces`: a request holds at most
 * one piece in memory, and no connection stays checked out while a slow client sends.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { MailgateError } from '../../core/errors.js';
import type { BlobStore } from '../../core/ports.js';
import { assertBlobKey } from '../blob-key.js';

/** Size of one stored piece: large enough to keep rows few, small enough to bound memory per request. */
const PIECE_BYTES = 1024 * 1024;

export function createPgBlobStore(pool: pg.Pool): BlobStore {
  async function get(key: string): Promise<Buffer> {
    const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM blobs WHERE key = $1', [key]);
    const row = rows[0];
    if (row) return row.data;
    const pieces = await pool.query<{ data: Buffer }>('SELECT data FROM blob_pieces WHERE key = $1 ORDER BY seq', [key]);
    if (pieces.rows.length === 0) throw Object.assign(new Error(`no blob "${key}"`), { code: 'ENOENT' });
    return Buffer.concat(pieces.rows.map((p) => p.data));
  }

  return {
    async put(key, data) {
      assertBlobKey(key);
      // A key names one immutable content, so a repeated put (a retry after a lost answer) is a no-op.
      await pool.query('INSERT INTO blobs (key, data, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [
        key,
        data,
        Date.now(),
      ]);
    },
    async putStream(key, source, maxBytes) {
      assertBlobKey(key);
      const hash = createHash('sha256');
      let size = 0;
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      // Each piece commits on its own: nothing refers to the key until the caller's row commits
      // after this resolves, so a half-written key is invisible, and removed below on failure.
      const flush = async (): Promise<void> => {
        if (pendingBytes === 0) return;
        const data = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        await pool.query('INSERT INTO blob_pieces (key, seq, data) VALUES ($1, $2, $3) ON CONFLICT (key, seq) DO UPDATE SET data = excluded.data', [
          key,
          seq++,
          data,
        ]);
      };
      try {
        await pool.query('DELETE FROM blob_pieces WHERE key = $1', [key]);
        for await (const piece of source) {
          size += piece.length;
          if (size > maxBytes) throw new MailgateError('too_large', `The content is larger than ${maxBytes} bytes`);
          hash.update(piece);
          pending.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
          pendingBytes += piece.length;
          if (pendingBytes >= PIECE_BYTES) await flush();
        }
        await flush();
      } catch (error) {
        await pool.query('DELETE FROM blob_pieces WHERE key = $1', [key]).catch(() => undefined);
        throw error;
      }
      return { size, sha256: hash.digest('hex') };
    },
    get,
    // Pieces come back as one buffer: PostgreSQL rows are read whole.
    read: get,
    async delete(key) {
      await pool.query('DELETE FROM blobs WHERE key = $1', [key]);
      await pool.query('DELETE FROM blob_pieces WHERE key = $1', [key]);
    },
  };
}
