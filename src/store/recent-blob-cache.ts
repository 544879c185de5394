/**
 * Keeps the most recently written blobs in memory up to a byte budget: delivery usually reads a
 * message moments after it was accepted, and then needs no open/read/close. Writes still go to
 * the inner store first, so durability is the inner store's.
 */
import type { BlobStore } from '../core/ports.js';

/** Wraps `inner`; blobs over a quarter of the budget are never cached, so one message cannot flush the rest. */
export function withRecentBlobCache(inner: BlobStore, maxBytes = 16 * 2 ** 20): BlobStore {
  // A Map iterates in insertion order: the first key is the oldest write.
  const recent = new Map<string, Buffer>();
  let bytes = 0;

  function forget(key: string): void {
    const cached = recent.get(key);
    if (!cached) return;
    bytes -= cached.length;
    recent.delete(key);
  }

  return {
    async put(key, data) {
      await inner.put(key, data);
      forget(key);
      if (data.length > maxBytes / 4) return;
      recent.set(key, data);
      bytes += data.length;
      for (const oldest of recent.keys()) {
        if (bytes <= maxBytes) break;
        forget(oldest);
      }
    },
    async putStream(key, source, maxBytes) {
      // Streamed blobs are uploads, large and read once at send time: not worth a place here.
      forget(key);
      return inner.putStream(key, source, maxBytes);
    },
    async get(key) {
      return recent.get(key) ?? inner.get(key);
    },
    async read(key) {
      return recent.get(key) ?? inner.read(key);
    },
    async delete(key) {
      forget(key);
      await inner.delete(key);
    },
  };
}
