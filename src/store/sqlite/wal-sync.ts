/**
 * Durable commits without blocking the event loop (docs/storage.md). With synchronous=NORMAL a WAL
 * commit writes its frames but does not fsync them; an fdatasync of the WAL file afterwards makes
 * that commit (and every earlier one) durable, the same guarantee synchronous=FULL gives, but on
 * libuv's thread pool while the event loop serves requests. Commits waiting for the disk share the
 * next sync: one in flight, at most one queued behind it.
 *
 * The file stays the same inode while this process has the database open (SQLite deletes the WAL
 * only when the last connection closes), so one descriptor serves for the store's life. If a
 * checkpoint moved frames into the main file first, it synced them there (NORMAL syncs at every
 * checkpoint).
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { promisify } from 'node:util';

const datasync = promisify(fdatasync);

export interface WalSync {
  sync(): Promise<void>;
  /** The same sync on the calling thread, for a batch no other write waits behind (group-commit.ts). */
  syncHere(): void;
  close(): Promise<void>;
}

export function createWalSync(walFile: string): WalSync {
  let fd: number | undefined;
  let inFlight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  // Opened at the first sync: by then a commit has created the file.
  const descriptor = () => (fd ??= openSync(walFile, 'r'));
  // A failure to open rejects, as a failed sync does.
  const syncOnce = async () => datasync(descriptor());

  function sync(): Promise<void> {
    if (!inFlight) {
      inFlight = syncOnce().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    // Frames written after the running sync began need a sync of their own, which waits its turn.
    queued ??= inFlight
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return sync();
      });
    return queued;
  }

  return {
    sync,
    syncHere: () => fdatasyncSync(descriptor()),
    async close() {
      await inFlight?.catch(() => undefined);
      await queued?.catch(() => undefined);
      if (fd !== undefined) closeSync(fd);
    },
  };
}
