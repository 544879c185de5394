/** The storage side of webhooks: endpoints that follow the tracking event log, and their delivery log. */
import type { EventKind } from '../tracking.js';
import type { WebhookEventType } from '../webhook-events.js';
import type { EventRecord } from './records.js';

/** A place in the tracking event log, which is ordered by (tx, id) (see migration 0015). */
export interface LogPosition {
  tx: number;
  id: number;
}

export interface WebhookEndpointRecord {
  id: string;
  url: string;
  /** Subscribed types; empty = every type. */
  events: WebhookEventType[];
  /** The signing secret, sealed with the master key. */
  secretSealed: string;
  createdBy: string;
  createdAt: number;
  /** The last log event sent (or passed over as not subscribed). */
  cursor: LogPosition;
  /** Consecutive failed attempts. */
  failures: number;
  nextAttemptAt: number;
  disabledAt: number | null;
  disabledReason: string | null;
}

export type NewWebhookEndpoint = Pick<WebhookEndpointRecord, 'id' | 'url' | 'events' | 'secretSealed' | 'createdBy' | 'createdAt'>;

/** One POST in an endpoint's delivery log. */
export interface WebhookAttemptRecord {
  id: number;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  at: number;
  ok: boolean;
  /** The HTTP status, when an answer came. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export type NewWebhookAttempt = Omit<WebhookAttemptRecord, 'id'>;

/** A tracking event with its place in the log. */
export type LoggedEvent = EventRecord & { position: LogPosition };

/** What one attempt changes, written with its log row in one commit by the lease holder only. */
export interface WebhookAttemptOutcome {
  endpointId: string;
  owner: string;
  attempt: NewWebhookAttempt;
  /** Moves the cursor (the event was sent, or passed over). */
  cursor?: LogPosition;
  failures: number;
  nextAttemptAt: number;
  /** Extends the lease to this time, or gives it up (null). */
  leaseUntil: number | null;
  /** Disables the endpoint with this reason. */
  disable?: string;
}

export interface WebhookStore {
  /** Adds an endpoint whose cursor is the end of the log: it receives events from now on. */
  addWebhookEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRecord>;
  listWebhookEndpoints(): Promise<WebhookEndpointRecord[]>;
  getWebhookEndpoint(id: string): Promise<WebhookEndpointRecord | undefined>;
  /** Removes the endpoint and its delivery log; false when there was none. */
  removeWebhookEndpoint(id: string): Promise<boolean>;
  /** Enables a disabled endpoint again, due now with no failures counted; false when there is none. */
  enableWebhookEndpoint(id: string, now: number): Promise<boolean>;
  /**
   * Enabled endpoints due at `now` whose lease is free or `owner`'s own (a restarted instance
   * takes its previous life's leases back at once); unlocked reads: claim before sending.
   */
  listDueWebhookEndpoints(now: number, owner: string): Promise<WebhookEndpointRecord[]>;
  /** Leases one endpoint to `owner` if still enabled, due and free (or its own); the fresh record, or undefined. */
  claimWebhookEndpoint(id: string, owner: string, now: number, leaseUntil: number): Promise<WebhookEndpointRecord | undefined>;
  /** Gives up `owner`'s lease on the endpoint, moving its cursor past passed-over events. */
  releaseWebhookEndpoint(id: string, owner: string, cursor: LogPosition): Promise<void>;
  /**
   * Log events of these kinds after `after`, oldest first: only events that no running
   * transaction can still precede, so a cursor moved past them never skips one.
   */
  readEventLog(after: LogPosition, kinds: readonly EventKind[], limit: number): Promise<LoggedEvent[]>;
  /** False (nothing written) when `owner` no longer holds the lease. */
  recordWebhookAttempt(outcome: WebhookAttemptOutcome): Promise<boolean>;
  /** The delivery log of one endpoint, newest first. */
  listWebhookAttempts(endpointId: string, limit: number): Promise<WebhookAttemptRecord[]>;
  /** Events subscribed by enabled endpoints and not yet sent to them, summed over endpoints. */
  webhookBacklog(): Promise<number>;
  /** Deletes delivery log rows older than `before`. */
  pruneWebhookAttempts(before: number): Promise<number>;
}
