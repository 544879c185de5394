/** What the serving thread and its delivery threads say to each other (docs/delivery-threads.md). */
import type { Config } from '../../config/config.js';
import type { AttemptRecord, DeliveryJob, RecipientReply } from '../../core/ports.js';
import type { Settlement } from '../../core/storage/store.js';

/** A delivery thread's start-up data. */
export interface ThreadData {
  config: Config;
  /** The lease owner: the process's instance id, whose heartbeat the serving thread keeps. */
  owner: string;
  /** This thread's share of MAILGATE_WORKER_CONCURRENCY. */
  slots: number;
  /** The serving thread's wake-ups after commits (wake-signal.ts). */
  wakes: SharedArrayBuffer;
}

/** Stop leasing, settle what is in flight, close, exit. */
export type ToThread = { type: 'stop' };

/** One call of the delivery worker's hooks, carried to the serving thread that owns metrics, events and notices. */
export type Hook =
  | { type: 'attempt'; record: AttemptRecord }
  | { type: 'settled'; settlement: Settlement; job: DeliveryJob }
  | { type: 'final-failure'; job: DeliveryJob; reply: RecipientReply };

export type FromThread =
  /** Store open, loop running. */
  | { type: 'ready' }
  /** The hooks called during one turn of the thread's event loop, in order: one message per turn, not per call. */
  | { type: 'hooks'; hooks: Hook[] };
