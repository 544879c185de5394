/**
 * Header fields go on top of a message after it was built (trace and screening fields, the
 * DKIM-Signature). Copying a 35 MB message to add 600 bytes would hold it twice, so a message the
 * gateway assembled itself is allocated with room in front, and a prepend fills that room in place
 * (docs/storage.md#large-messages). Any other buffer is copied as before.
 */

/** Room kept in front of an assembled message: a DKIM-Signature with a 4096-bit key and then some. */
const HEADROOM = 4096;

/** Views whose bytes just before them are free to write: how many. Taken when used, so room is filled once. */
const room = new WeakMap<Buffer, number>();

/** One buffer holding `pieces` in order, with room in front for `prepend`. */
export async function assemble(pieces: AsyncIterable<Buffer>): Promise<Buffer> {
  const list: Buffer[] = [];
  for await (const piece of pieces) list.push(piece);
  const whole = Buffer.allocUnsafe(HEADROOM + list.reduce((sum, piece) => sum + piece.length, 0));
  let at = HEADROOM;
  for (const piece of list) at += piece.copy(whole, at);
  const message = whole.subarray(HEADROOM);
  room.set(message, HEADROOM);
  return message;
}

/** `header` then `message`: in place when `message` has the room, else a copy. */
export function prepend(header: Buffer, message: Buffer): Buffer {
  const free = room.get(message) ?? 0;
  room.delete(message);
  if (header.length > free) return Buffer.concat([header, message]);
  const start = message.byteOffset - header.length;
  const widened = Buffer.from(message.buffer, start, header.length + message.length);
  header.copy(widened, 0);
  room.set(widened, free - header.length);
  return widened;
}
