/** The storage side of the web console: sessions (by token hash) and the overview's aggregates. */

/** A signed-in console session; the cookie's token itself is never stored, only its SHA-256. */
export interface ConsoleSessionRecord {
  tokenHash: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end, whatever the activity. */
  expiresAt: number;
}

/** Events of one kind in one time bucket (`bucket` = floor(at / bucketMs)). */
export interface ActivityCount {
  kind: string;
  bucket: number;
  count: number;
}

export interface QueueDepth {
  /** Recipients waiting for delivery (queued or deferred). */
  waiting: number;
  /** When the oldest message with a waiting recipient was received; null when none waits. */
  oldestReceivedAt: number | null;
}

export interface ConsoleStore {
  createConsoleSession(session: ConsoleSessionRecord): Promise<void>;
  getConsoleSession(tokenHash: string): Promise<ConsoleSessionRecord | undefined>;
  touchConsoleSession(tokenHash: string, lastSeenAt: number): Promise<void>;
  deleteConsoleSession(tokenHash: string): Promise<void>;
  /** Removes sessions past their absolute end or idle since `idleBefore`; answers how many. */
  deleteStaleConsoleSessions(now: number, idleBefore: number): Promise<number>;
  /** Events of `kinds` with `start <= at < end`, counted per kind and bucket. */
  countActivity(kinds: readonly string[], start: number, end: number, bucketMs: number): Promise<ActivityCount[]>;
  queueDepth(): Promise<QueueDepth>;
  /** Messages received since `start`, per way in (`source`). */
  countBySource(start: number): Promise<Array<{ source: string; count: number }>>;
}
