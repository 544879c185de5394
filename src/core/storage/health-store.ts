/** What operations need from the store: queue figures for metrics and a write probe for readiness. */

/** Recipients waiting, by state, and when the oldest still-waiting message was accepted. */
export interface QueueStats {
  queued: number;
  deferred: number;
  held: number;
  /** Epoch ms of the oldest message with a queued or deferred recipient; undefined when none waits. */
  oldestWaitingAt: number | undefined;
}

export interface HealthStore {
  queueStats(): Promise<QueueStats>;
  /**
   * Writes `value` under the setting `name` and reads it back in the same transaction, proving the
   * database is reachable and writable; returns what was read.
   */
  probeWrite(name: string, value: string): Promise<string | undefined>;
}
