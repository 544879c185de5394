/** Webhook event types and the tracking event each one is read from, defined once (docs/webhooks.md). */
import { EVENT_KIND, type EventKind, type RecipientStatus } from './tracking.js';

export const WEBHOOK_EVENT = {
  accepted: 'message.accepted',
  delivered: 'message.delivered',
  deferred: 'message.deferred',
  bounced: 'message.bounced',
  held: 'message.held',
  released: 'message.released',
  rejected: 'message.rejected',
} as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT)[keyof typeof WEBHOOK_EVENT];

export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = Object.values(WEBHOOK_EVENT);

/**
 * The tracking event behind each type. `received` is written once per message when it is
 * accepted (queued or held); the others once per recipient.
 */
const SOURCE: Record<WebhookEventType, EventKind> = {
  'message.accepted': EVENT_KIND.received,
  'message.delivered': EVENT_KIND.delivered,
  'message.deferred': EVENT_KIND.deferred,
  'message.bounced': EVENT_KIND.bounced,
  'message.held': EVENT_KIND.held,
  'message.released': EVENT_KIND.released,
  'message.rejected': EVENT_KIND.rejected,
};

/** The recipient's state right after a per-recipient event. */
export const RECIPIENT_STATUS_AFTER: Partial<Record<WebhookEventType, RecipientStatus>> = {
  'message.delivered': 'delivered',
  'message.deferred': 'deferred',
  'message.bounced': 'bounced',
  'message.held': 'held',
  'message.released': 'queued',
  'message.rejected': 'rejected',
};

export function isWebhookEventType(name: string): name is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(name);
}

/** The tracking event kinds an endpoint subscribed to `types` follows (every type when empty). */
export function sourceKindsOf(types: readonly WebhookEventType[]): EventKind[] {
  return (types.length === 0 ? WEBHOOK_EVENT_TYPES : types).map((t) => SOURCE[t]);
}

/** The webhook type of a tracking event, if it has one. */
export function webhookTypeOf(kind: EventKind): WebhookEventType | undefined {
  return WEBHOOK_EVENT_TYPES.find((t) => SOURCE[t] === kind);
}

/** Stable per tracking event, so a redelivery after a crash carries the same id. */
export function webhookEventId(trackingEventId: number): string {
  return `evt_${trackingEventId}`;
}
