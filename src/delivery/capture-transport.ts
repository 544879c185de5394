/** A transport for development and tests: nothing leaves the machine, every message lands in a directory. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { contentSize } from '../core/content.js';
import { systemClock, type AttemptRecord, type Clock, type RecipientReply, type Transport } from '../core/ports.js';

/** The sidecar `<name>.json` written next to each captured `<name>.eml`. */
export interface CapturedEnvelope {
  mailFrom: string;
  rcptTo: string[];
  domain: string;
  capturedAt: string;
}

/** Writes `<dir>/<timestamp>-<random>.eml` plus its envelope as `.json`; answers 250 captured. */
export function createCaptureTransport(dir: string, opts: { clock?: Clock } = {}): Transport {
  const clock = opts.clock ?? systemClock;

  // Written under a temporary name and renamed, so a watcher never sees half a file.
  async function writeAtomically(file: string, data: Buffer | string | Readable): Promise<void> {
    const partial = `${file}.partial`;
    await writeFile(partial, data, { mode: 0o600 });
    await rename(partial, file);
  }

  return {
    async send(envelope, content) {
      const startedAt = clock.now();
      const stamp = new Date(startedAt).toISOString().replace(/[:.]/g, '-');
      const base = path.join(dir, `${stamp}-${randomBytes(6).toString('hex')}`);
      let reply: RecipientReply;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const sidecar: CapturedEnvelope = {
          mailFrom: envelope.mailFrom,
          rcptTo: envelope.rcptTo,
          domain: envelope.domain,
          capturedAt: new Date(startedAt).toISOString(),
        };
        // The envelope goes first: whoever picks up the .eml can rely on its .json being there.
        await writeAtomically(`${base}.json`, JSON.stringify(sidecar, null, 2) + '\n');
        await writeAtomically(`${base}.eml`, Buffer.isBuffer(content) ? content : content.stream());
        reply = { outcome: 'delivered', code: 250, reply: 'captured' };
      } catch (err) {
        // A full or read-only disk is an operator's problem to fix; the mail stays queued meanwhile.
        reply = { outcome: 'temporary', code: 451, reply: `4.3.0 capture failed: ${(err as Error).message}` };
      }
      const replies: Record<string, RecipientReply> = {};
      for (const address of envelope.rcptTo) replies[address] = reply;
      const record: AttemptRecord = {
        transport: 'capture',
        startedAt,
        endedAt: clock.now(),
        bytes: reply.outcome === 'delivered' ? contentSize(content) : 0,
        replies,
      };
      return record;
    },
    async close() {},
  };
}
