/** Helpers over Content (core/ports.ts): a message in memory or a file streamed from disk. */
import { isAscii } from 'node:buffer';
import { buffer } from 'node:stream/consumers';
import type { Content } from './ports.js';

export function contentSize(content: Content): number {
  return Buffer.isBuffer(content) ? content.length : content.size;
}

export async function isEightBit(content: Content): Promise<boolean> {
  return Buffer.isBuffer(content) ? !isAscii(content) : content.eightBit();
}

/** The whole message in memory, for the consumers that parse or copy it (local delivery, capture). */
export async function contentBytes(content: Content): Promise<Buffer> {
  return Buffer.isBuffer(content) ? content : buffer(content.stream());
}
