/** Time-ordered, URL-safe ids: sortable by creation time, unguessable by the random tail. */
import { randomFillSync } from 'node:crypto';

let last = 0;
let counter = 0;

/** Random bytes drawn from the CSPRNG in blocks: one call per 409 ids instead of one per id. */
const TAIL_BYTES = 10;
const pool = Buffer.alloc(TAIL_BYTES * 409);
let offset = pool.length;

function randomTail(): string {
  if (offset + TAIL_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const tail = pool.toString('base64url', offset, offset + TAIL_BYTES);
  offset += TAIL_BYTES;
  return tail;
}

export function newId(now = Date.now()): string {
  // A per-millisecond counter keeps ids from one process strictly increasing.
  counter = now === last ? counter + 1 : 0;
  last = now;
  return now.toString(36).padStart(9, '0') + counter.toString(36).padStart(3, '0') + randomTail();
}
