/** The storage side of queue control: waiting deliveries listed by filter, and operator actions on them. */
import type { NewEvent } from '../ports.js';

/** `in-flight`: leased by a worker right now; `queued`/`deferred`: waiting for their next attempt. */
export const QUEUE_STATES = ['queued', 'deferred', 'in-flight'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** One recipient waiting in (or being sent from) the queue. */
export interface QueueEntry {
  messageId: string;
  recipientId: string;
  recipient: string;
  domain: string;
  sender: string;
  subject: string;
  transport: string;
  state: QueueState;
  attempts: number;
  nextAttemptAt: number;
  lastCode: number | null;
  lastReply: string | null;
  receivedAt: number;
  expiresAt: number;
  leaseUntil: number | null;
}

export interface QueueFilter {
  state?: QueueState;
  /** Recipient domain, case-insensitive. */
  domain?: string;
  /** Envelope sender, case-insensitive. */
  sender?: string;
  messageId?: string;
  /** Only messages received before this (epoch ms). */
  receivedBefore?: number;
  /** What `in-flight` means: a lease running past this instant. */
  now: number;
  offset: number;
  limit: number;
}

export const QUEUE_ACTIONS = ['retry', 'bounce', 'delete'] as const;
export type QueueAction = (typeof QUEUE_ACTIONS)[number];

/** Which waiting recipients an action applies to: one message's, or every one for a domain. */
export type QueueSelection = { messageId: string } | { domain: string };

export interface QueueActionRequest {
  action: QueueAction;
  selection: QueueSelection;
  operator: string;
  now: number;
  /** The recipient's new state and its events, per entry acted on (built by the caller, who owns the rules). */
  outcome(entry: QueueEntry): { code: number | null; reply: string | null; events: NewEvent[] };
  /** The audit log action name and detail. */
  audit: { action: string; target: string; detail: Record<string, unknown> };
}

export interface QueueStore {
  listQueue(filter: QueueFilter): Promise<{ total: number; entries: QueueEntry[] }>;
  /**
   * Applies an action to the selected recipients that are waiting and not leased (in-flight ones
   * are left to their attempt), with their events and one audit entry, in one commit; returns the
   * entries acted on, as they were before. A retry makes them due at `now` and wakes delivery.
   * A repeat with the same `writeId` after an unknown outcome appends no events or audit again.
   */
  actOnQueue(request: QueueActionRequest, writeId?: string): Promise<QueueEntry[]>;
}
