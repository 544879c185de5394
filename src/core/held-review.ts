/**
 * Reviewing held messages: release (held recipients are queued and delivery is woken), reject
 * (optionally with a notice to the sender) and expiry. The store performs each action atomically
 * with its events and audit entry; this module adds what follows from it.
 */
import { heldRejectionNotice } from './notices.js';
import type { AcceptedMessage, Submission } from './message.js';
import type { Clock, QueueNotifier } from './ports.js';

/** The reasonType values of the Reject Held Message page (docs/vendor-apis.md#held-messages). */
export const REJECT_REASON_TYPES = [
  'MESSAGE CONTAINS UNDESIRABLE CONTENT',
  'MESSAGE CONTAINS CONFIDENTIAL INFORMATION',
  'REVIEWER DISAPPROVES OF CONTENT',
  'INAPPROPRIATE COMMUNICATION',
  'MESSAGE GOES AGAINST EMAIL POLICIES',
] as const;

/** What review does to a held message. */
export interface HoldAction {
  action: 'release' | 'reject' | 'expire';
  operator: string;
  /** reject: the text for the sender and the reasonType of the Reject Held Message page (docs/vendor-apis.md#held-messages). */
  message?: string;
  reasonType?: string;
  notify?: boolean;
}

export type HoldActionResult = 'done' | 'not_found' | 'not_held';

/** Releasing one recipient of a held message (a recipient acting on their own quarantine). */
export interface RecipientRelease {
  messageId: string;
  /** Lower case. */
  recipient: string;
  operator: string;
  /** Extra audit and event detail (e.g. `via: 'digest'`). */
  detail: Record<string, unknown>;
  now: number;
  requeueUntil: number;
}

/** The store operations review needs. */
export interface HeldReviewStore {
  actOnHold(messageId: string, action: HoldAction, now: number, requeueUntil: number): Promise<HoldActionResult>;
  listExpiredHolds(now: number, limit: number): Promise<string[]>;
  releaseHeldRecipient(release: RecipientRelease): Promise<HoldActionResult>;
  getMessage(id: string): Promise<{ mailFrom: string; subject: string; internetMessageId: string } | undefined>;
  listRecipients(messageId: string): Promise<Array<{ address: string; status: string }>>;
  appendEvents(events: Array<{ messageId: string; kind: 'notice_sent'; at: number; detail: Record<string, unknown> }>): Promise<void>;
}

export interface HeldReviewDeps {
  store: HeldReviewStore;
  ingest(submission: Submission): Promise<AcceptedMessage>;
  notifier: QueueNotifier;
  clock: Clock;
  hostname: string;
  queueLifetimeMs: number;
  /** Told of every action that took effect (metrics). */
  onActed?(messageId: string, action: HoldAction['action']): Promise<void>;
}

export interface HeldReview {
  release(messageId: string, operator: string): Promise<HoldActionResult>;
  /** Releases the message to one of its held recipients only; the others stay held. */
  releaseFor(messageId: string, recipient: string, operator: string, detail: Record<string, unknown>): Promise<HoldActionResult>;
  reject(messageId: string, options: { operator: string; message?: string; reasonType?: string; notify: boolean }): Promise<HoldActionResult>;
  /** Rejects holds past their expiry; returns how many. */
  expire(limit?: number): Promise<number>;
}

export function createHeldReview(deps: HeldReviewDeps): HeldReview {
  const act = async (messageId: string, action: HoldAction) => {
    const now = deps.clock.now();
    const result = await deps.store.actOnHold(messageId, action, now, now + deps.queueLifetimeMs);
    if (result === 'done') await deps.onActed?.(messageId, action.action);
    return result;
  };
  return {
    async release(messageId, operator) {
      const result = await act(messageId, { action: 'release', operator });
      if (result === 'done') deps.notifier.wake();
      return result;
    },
    async releaseFor(messageId, recipient, operator, detail) {
      const now = deps.clock.now();
      const release = { messageId, recipient: recipient.toLowerCase(), operator, detail, now, requeueUntil: now + deps.queueLifetimeMs };
      const result = await deps.store.releaseHeldRecipient(release);
      if (result === 'done') deps.notifier.wake();
      return result;
    },
    async reject(messageId, options) {
      const result = await act(messageId, { action: 'reject', ...options });
      if (result !== 'done' || !options.notify) return result;
      const message = await deps.store.getMessage(messageId);
      if (!message) return result;
      const recipients = (await deps.store.listRecipients(messageId)).filter((r) => r.status === 'rejected').map((r) => r.address);
      const notice = heldRejectionNotice(
        {
          mailFrom: message.mailFrom,
          subject: message.subject,
          internetMessageId: message.internetMessageId,
          recipients,
          ...(options.message !== undefined ? { message: options.message } : {}),
          ...(options.reasonType !== undefined ? { reasonType: options.reasonType } : {}),
        },
        deps.hostname,
      );
      if (!notice) return result;
      const sent = await deps.ingest(notice);
      await deps.store.appendEvents([
        { messageId, kind: 'notice_sent', at: deps.clock.now(), detail: { noticeId: sent.id, to: message.mailFrom, reason: 'hold-rejected' } },
      ]);
      return result;
    },
    async expire(limit = 100) {
      const due = await deps.store.listExpiredHolds(deps.clock.now(), limit);
      let expired = 0;
      for (const id of due) if ((await act(id, { action: 'expire', operator: 'system' })) === 'done') expired++;
      return expired;
    },
  };
}
