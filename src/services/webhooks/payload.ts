/** The JSON body of one webhook event, built from a tracking event and its message's records (docs/webhooks.md#events). */
import type { EventRecord, MessageRecord, RecipientRecord, Store } from '../../core/storage/store.js';
import type { LoggedEvent } from '../../core/storage/webhook-store.js';
import { EVENT_KIND } from '../../core/tracking.js';
import { RECIPIENT_STATUS_AFTER, WEBHOOK_EVENT, webhookEventId, type WebhookEventType } from '../../core/webhook-events.js';

export interface WebhookRecipient {
  id: string;
  address: string;
  status: string;
  code?: number;
  reply?: string;
  reason?: string;
  attempts?: number;
  nextAttemptAt?: string;
}

export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: {
    messageId: string;
    internetMessageId: string | null;
    route: string | null;
    mailFrom: string | null;
    from: string | null;
    subject: string | null;
    receivedAt: string | null;
    recipients: WebhookRecipient[];
  };
}

type Reader = Pick<Store, 'getMessage' | 'listRecipients' | 'listEvents'>;

const iso = (ms: number) => new Date(ms).toISOString();

/** What the tracking event's detail says about the attempt (codes, reasons, the next retry). */
function attemptFacts(detail: Record<string, unknown>): Partial<WebhookRecipient> {
  const { code, reply, reason, attempts, nextAttemptAt } = detail;
  return {
    ...(typeof code === 'number' ? { code } : {}),
    ...(typeof reply === 'string' ? { reply } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof attempts === 'number' ? { attempts } : {}),
    ...(typeof nextAttemptAt === 'number' ? { nextAttemptAt: iso(nextAttemptAt) } : {}),
  };
}

/** Every recipient as accepted: queued, or held by a policy (the events written with `received`). */
async function acceptedRecipients(reader: Reader, messageId: string, recipients: RecipientRecord[]): Promise<WebhookRecipient[]> {
  const events: EventRecord[] = await reader.listEvents(messageId);
  const held = new Set(events.filter((e) => e.kind === EVENT_KIND.held).map((e) => e.recipientId));
  return recipients.map((r) => ({ id: r.id, address: r.address, status: held.has(r.id) ? 'held' : 'queued' }));
}

function messageFacts(message: MessageRecord | undefined): Omit<WebhookEvent['data'], 'messageId' | 'recipients'> {
  return {
    internetMessageId: message?.internetMessageId ?? null,
    route: message?.route ?? null,
    mailFrom: message?.mailFrom ?? null,
    from: message?.fromHeader ?? null,
    subject: message?.subject ?? null,
    receivedAt: message ? iso(message.receivedAt) : null,
  };
}

export async function buildWebhookEvent(event: LoggedEvent, type: WebhookEventType, reader: Reader): Promise<WebhookEvent> {
  const [message, recipients] = await Promise.all([reader.getMessage(event.messageId), reader.listRecipients(event.messageId)]);
  let listed: WebhookRecipient[];
  if (type === WEBHOOK_EVENT.accepted) listed = await acceptedRecipients(reader, event.messageId, recipients);
  else {
    const recipient = recipients.find((r) => r.id === event.recipientId);
    listed = recipient
      ? [{ id: recipient.id, address: recipient.address, status: RECIPIENT_STATUS_AFTER[type] ?? recipient.status, ...attemptFacts(event.detail) }]
      : [];
  }
  return {
    id: webhookEventId(event.id),
    type,
    createdAt: iso(event.at),
    data: { messageId: event.messageId, ...messageFacts(message), recipients: listed },
  };
}
