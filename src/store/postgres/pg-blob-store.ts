/** Blobs as BYTEA rows, so that any gateway process on the database can deliver any message. */
import type pg from 'pg';
import type { BlobStore } from '../../core/ports.js';
import { assertBlobKey } from '../blob-key.js';

export function createPgBlobStore(pool: pg.Pool): BlobStore {
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
    async get(key) {
      const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM blobs WHERE key = $1', [key]);
      const row = rows[0];
      if (!row) throw Object.assign(new Error(`no blob "${key}"`), { code: 'ENOENT' });
      return row.data;
    },
    async delete(key) {
      await pool.query('DELETE FROM blobs WHERE key = $1', [key]);
    },
  };
}
