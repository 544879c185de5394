/** Time-ordered, URL-safe ids: sortable by creation time, unguessable by the random tail. */
import { randomBytes } from 'node:crypto';

let last = 0;
let counter = 0;

export function newId(now = Date.now()): string {
  // A per-millisecond counter keeps ids from one process strictly increasing.
  counter = now === last ? counter + 1 : 0;
  last = now;
  return now.toString(36).padStart(9, '0') + counter.toString(36).padStart(3, '0') + randomBytes(10).toString('base64url');
}
