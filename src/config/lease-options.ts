/** The heartbeat options that let leases know their owner (docs/leases.md), spread into config.ts's OPTIONS. */
import { int } from './parsers.js';

export interface LeaseConfig {
  /** Seconds between a process's heartbeats in the store. */
  heartbeatSeconds: number;
  /** Heartbeats in a row an instance may miss before another process takes over its delivery leases. */
  heartbeatMissedBeats: number;
}

export function leaseOptions() {
  return {
    heartbeatSeconds: { key: 'heartbeatSeconds', env: 'MAILGATE_HEARTBEAT_SECONDS', parse: int(1, 60, 2) },
    heartbeatMissedBeats: { key: 'heartbeatMissedBeats', env: 'MAILGATE_HEARTBEAT_MISSED_BEATS', parse: int(1, 100, 3) },
  } as const;
}
