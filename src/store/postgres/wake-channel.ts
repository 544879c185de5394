/**
 * LISTEN/NOTIFY between gateway processes: a commit that queues mail in one process wakes the
 * delivery workers of all the others at once, instead of at their next poll. The listening
 * connection reconnects with backoff; after a gap every listener is woken, since notifications
 * sent meanwhile are lost.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';

const MAX_RECONNECT_MS = 5_000;

export interface WakeChannel {
  /** Tells the other processes that new work was committed; never throws. */
  notify(): void;
  onWake(listener: () => void): () => void;
  close(): Promise<void>;
}

export async function openWakeChannel(
  pool: pg.Pool,
  clientConfig: pg.ClientConfig,
  channel: string,
  log?: Logger,
): Promise<WakeChannel> {
  // Our own notifications come back to us; the local worker was already woken by ingest.
  const self = randomUUID();
  const listeners = new Set<() => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let pause = 100;
  const wakeAll = () => listeners.forEach((listener) => listener());

  async function connect(): Promise<void> {
    const next = new pg.Client(clientConfig);
    next.on('notification', (n) => {
      if (n.payload !== self) wakeAll();
    });
    next.on('error', (err) => {
      log?.warn({ err: err.message }, 'database: wake-up connection lost');
      reconnectLater(next);
    });
    next.on('end', () => reconnectLater(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
  }

  function reconnectLater(lost: pg.Client): void {
    if (closed || client !== lost) return;
    client = undefined;
    lost.end().catch(() => undefined);
    retryTimer = setTimeout(function retry() {
      connect().then(
        () => {
          pause = 100;
          log?.info('database: wake-up connection restored');
          wakeAll();
        },
        () => {
          pause = Math.min(pause * 2, MAX_RECONNECT_MS);
          retryTimer = setTimeout(retry, pause);
        },
      );
    }, pause);
  }

  await connect();
  return {
    notify() {
      pool.query('SELECT pg_notify($1, $2)', [channel, self]).catch((err: Error) => {
        // The others still find the work at their next poll (at most 30 s later).
        log?.warn({ err: err.message }, 'database: wake-up notification failed');
      });
    },
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await client?.end();
    },
  };
}
