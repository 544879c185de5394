/**
 * Wakes this process's delivery worker when another process (a `mailgate queue retry` run, a
 * second gateway on the same file) commits to the SQLite database. SQLite has no LISTEN/NOTIFY;
 * `PRAGMA data_version` changes whenever another connection has committed, and reading it costs
 * no table access, so it is polled while anyone listens (docs/queue-control.md).
 */
import type Database from 'better-sqlite3';

/** How soon a commit by another process is noticed. */
export const DATA_VERSION_POLL_MS = 500;

export interface WakeChannel {
  onWake(listener: () => void): () => void;
  close(): void;
}

export function openWakeChannel(raw: Database.Database, pollMs = DATA_VERSION_POLL_MS): WakeChannel {
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  let seen = 0;
  const version = () => Number(raw.pragma('data_version', { simple: true }));

  function poll(): void {
    if (!raw.open) return;
    const now = version();
    if (now === seen) return;
    seen = now;
    listeners.forEach((listener) => listener());
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
  }

  return {
    onWake(listener) {
      listeners.add(listener);
      if (timer === undefined) {
        seen = version();
        timer = setInterval(poll, pollMs).unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    close() {
      listeners.clear();
      stop();
    },
  };
}
