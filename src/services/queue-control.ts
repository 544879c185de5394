/**
 * Queue control for operators (CLI, admin API, console): list and show waiting deliveries, retry
 * now, bounce now (with the sender's failure notice), delete (no notice) and flush a domain. Every
 * action is recorded as tracking events naming the operator and as an audit entry
 * (docs/queue-control.md).
 */
import { MailgateError } from '../core/errors.js';
import type { Clock, NewEvent, QueueNotifier } from '../core/ports.js';
import { EVENT_KIND } from '../core/tracking.js';
import type { QueueAction, QueueEntry, QueueSelection, QueueState, QueueStore } from '../core/storage/queue-store.js';
import type { EventRecord, Store } from '../core/storage/store.js';
import type { FailedRecipient } from './failure-notices.js';

/** A waiting delivery as operators see it (dates in ISO 8601). */
export type QueueEntryView = Omit<QueueEntry, 'nextAttemptAt' | 'receivedAt' | 'expiresAt' | 'leaseUntil'> & {
  nextAttemptAt: string;
  receivedAt: string;
  expiresAt: string;
};

export interface QueueListQuery {
  state?: QueueState;
  domain?: string;
  sender?: string;
  /** Only mail received at least this long ago. */
  olderThanSeconds?: number;
  offset?: number;
  limit?: number;
}

/** One message with every recipient (waiting or settled) and its events. */
export interface QueueMessageView {
  messageId: string;
  internetMessageId: string;
  sender: string;
  subject: string;
  size: number;
  status: string;
  receivedAt: string;
  expiresAt: string;
  recipients: Array<{
    recipientId: string;
    recipient: string;
    state: string;
    attempts: number;
    nextAttemptAt: string;
    lastCode: number | null;
    lastReply: string | null;
  }>;
  events: Array<{ kind: string; at: string; recipientId: string | null; detail: Record<string, unknown> }>;
}

export interface QueueActionResult {
  action: QueueAction | 'flush';
  /** The recipients acted on; in-flight ones are left to their attempt and not listed. */
  entries: QueueEntryView[];
}

export interface QueueControl {
  list(query: QueueListQuery): Promise<{ total: number; entries: QueueEntryView[] }>;
  show(messageId: string): Promise<QueueMessageView>;
  retry(messageId: string, operator: string): Promise<QueueActionResult>;
  bounce(messageId: string, operator: string): Promise<QueueActionResult>;
  remove(messageId: string, operator: string): Promise<QueueActionResult>;
  /** Retries every waiting recipient of a domain now. */
  flush(domain: string, operator: string): Promise<QueueActionResult>;
}

export interface QueueControlDeps {
  store: QueueStore & Pick<Store, 'getMessage' | 'listRecipients' | 'listEvents'>;
  clock: Clock;
  /** Wakes this process's delivery worker (other processes are woken through the store). */
  notifier: QueueNotifier;
  /** Sends the failure notice of a recipient bounced by an operator. */
  notifyFailure(failed: FailedRecipient): Promise<void>;
}

export const DEFAULT_QUEUE_PAGE = 100;
export const MAX_QUEUE_PAGE = 1000;

const iso = (ms: number): string => new Date(ms).toISOString();

export function queueEntryView(e: QueueEntry): QueueEntryView {
  return {
    messageId: e.messageId,
    recipientId: e.recipientId,
    recipient: e.recipient,
    domain: e.domain,
    sender: e.sender,
    subject: e.subject,
    transport: e.transport,
    state: e.state,
    attempts: e.attempts,
    nextAttemptAt: iso(e.nextAttemptAt),
    lastCode: e.lastCode,
    lastReply: e.lastReply,
    receivedAt: iso(e.receivedAt),
    expiresAt: iso(e.expiresAt),
  };
}

const eventView = (e: EventRecord) => ({ kind: e.kind, at: iso(e.at), recipientId: e.recipientId, detail: e.detail });

/** The reply an operator's bounce records, and the notice reports (RFC 3463 5.0.0: no more specific cause). */
function operatorBounceReply(e: QueueEntry): { code: number; reply: string } {
  const last = e.lastReply === null ? '' : `; last reply: ${[e.lastCode, e.lastReply].filter((part) => part !== null).join(' ')}`;
  return { code: 550, reply: `5.0.0 delivery cancelled by an administrator${last}` };
}

export function createQueueControl(deps: QueueControlDeps): QueueControl {
  const { store, clock } = deps;

  function outcome(action: QueueAction, operator: string, now: number) {
    return (e: QueueEntry): { code: number | null; reply: string | null; events: NewEvent[] } => {
      const base = { messageId: e.messageId, recipientId: e.recipientId, at: now };
      if (action === 'retry') {
        return { code: e.lastCode, reply: e.lastReply, events: [{ ...base, kind: EVENT_KIND.retryRequested, detail: { operator } }] };
      }
      if (action === 'delete') {
        const reply = `deleted from the queue by ${operator}`;
        return { code: null, reply, events: [{ ...base, kind: EVENT_KIND.deleted, detail: { operator, reply } }] };
      }
      const said = operatorBounceReply(e);
      return { ...said, events: [{ ...base, kind: EVENT_KIND.bounced, detail: { ...said, reason: 'operator', operator } }] };
    };
  }

  async function act(action: QueueAction, selection: QueueSelection, operator: string, auditAction: string): Promise<QueueEntry[]> {
    const now = clock.now();
    const target = 'messageId' in selection ? selection.messageId : selection.domain.toLowerCase();
    return store.actOnQueue({ action, selection, operator, now, outcome: outcome(action, operator, now), audit: { action: auditAction, target, detail: { operator } } });
  }

  /** A message-level action that found nothing to act on says why. */
  async function onMessage(action: QueueAction, messageId: string, operator: string): Promise<QueueEntry[]> {
    const acted = await act(action, { messageId }, operator, `queue_${action}`);
    if (acted.length > 0) return acted;
    if (!(await store.getMessage(messageId))) throw new MailgateError('not_found', `No message has the id ${messageId}`, 'messageId');
    throw new MailgateError('conflict', `Message ${messageId} has no recipient waiting in the queue (one being sent right now is left to its attempt)`, 'messageId');
  }

  return {
    async list(q) {
      const limit = q.limit ?? DEFAULT_QUEUE_PAGE;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_QUEUE_PAGE) throw new MailgateError('invalid_value', `limit must be 1 to ${MAX_QUEUE_PAGE}`, 'limit');
      const now = clock.now();
      const page = await store.listQueue({
        ...(q.state !== undefined ? { state: q.state } : {}),
        ...(q.domain !== undefined ? { domain: q.domain } : {}),
        ...(q.sender !== undefined ? { sender: q.sender } : {}),
        ...(q.olderThanSeconds !== undefined ? { receivedBefore: now - q.olderThanSeconds * 1000 } : {}),
        now,
        offset: q.offset ?? 0,
        limit,
      });
      return { total: page.total, entries: page.entries.map(queueEntryView) };
    },

    async show(messageId) {
      const message = await store.getMessage(messageId);
      if (!message) throw new MailgateError('not_found', `No message has the id ${messageId}`, 'messageId');
      const now = clock.now();
      const [recipients, waiting, events] = await Promise.all([
        store.listRecipients(messageId),
        store.listQueue({ messageId, now, offset: 0, limit: MAX_QUEUE_PAGE }),
        store.listEvents(messageId),
      ]);
      const stateOf = new Map(waiting.entries.map((e) => [e.recipientId, e.state]));
      return {
        messageId,
        internetMessageId: message.internetMessageId,
        sender: message.mailFrom,
        subject: message.subject,
        size: message.size,
        status: message.status,
        receivedAt: iso(message.receivedAt),
        expiresAt: iso(message.expiresAt),
        recipients: recipients.map((r) => ({
          recipientId: r.id,
          recipient: r.address,
          state: stateOf.get(r.id) ?? r.status,
          attempts: r.attempts,
          nextAttemptAt: iso(r.nextAttemptAt),
          lastCode: r.lastCode,
          lastReply: r.lastReply,
        })),
        events: events.map(eventView),
      };
    },

    async retry(messageId, operator) {
      const acted = await onMessage('retry', messageId, operator);
      deps.notifier.wake();
      return { action: 'retry', entries: acted.map(queueEntryView) };
    },

    async bounce(messageId, operator) {
      const acted = await onMessage('bounce', messageId, operator);
      for (const e of acted) {
        await deps.notifyFailure({ messageId: e.messageId, recipientId: e.recipientId, address: e.recipient, mailFrom: e.sender, subject: e.subject, ...operatorBounceReply(e) });
      }
      return { action: 'bounce', entries: acted.map(queueEntryView) };
    },

    async remove(messageId, operator) {
      const acted = await onMessage('delete', messageId, operator);
      return { action: 'delete', entries: acted.map(queueEntryView) };
    },

    async flush(domain, operator) {
      if (domain.trim() === '') throw new MailgateError('field_blank', 'domain is required', 'domain');
      const acted = await act('retry', { domain: domain.trim() }, operator, 'queue_flush');
      if (acted.length > 0) deps.notifier.wake();
      return { action: 'flush', entries: acted.map(queueEntryView) };
    },
  };
}
