/** Conversions between webhook records and table rows. */
import type { NewWebhookAttempt, NewWebhookEndpoint, WebhookAttemptRecord, WebhookEndpointRecord } from '../core/storage/webhook-store.js';
import type { WebhookEventType } from '../core/webhook-events.js';
import { nullableNumber, type Row, type Selected } from './row-types.js';

export const webhookEndpointRow = (e: NewWebhookEndpoint, cursor: { tx: number; id: number }): Row<'webhook_endpoints'> => ({
  id: e.id,
  url: e.url,
  events: JSON.stringify(e.events),
  secret_enc: e.secretSealed,
  created_by: e.createdBy,
  created_at: e.createdAt,
  cursor_tx: cursor.tx,
  cursor_id: cursor.id,
  failures: 0,
  next_attempt_at: e.createdAt,
  lease_owner: null,
  lease_until: null,
  disabled_at: null,
  disabled_reason: null,
});

export const toWebhookEndpoint = (r: Selected<'webhook_endpoints'>): WebhookEndpointRecord => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as WebhookEventType[],
  secretSealed: r.secret_enc,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  cursor: { tx: Number(r.cursor_tx), id: Number(r.cursor_id) },
  failures: Number(r.failures),
  nextAttemptAt: Number(r.next_attempt_at),
  disabledAt: nullableNumber(r.disabled_at),
  disabledReason: r.disabled_reason,
});

export const webhookAttemptRow = (a: NewWebhookAttempt) => ({
  endpoint_id: a.endpointId,
  event_id: a.eventId,
  event_type: a.eventType,
  at: a.at,
  ok: a.ok ? 1 : 0,
  status: a.status,
  error: a.error,
  duration_ms: a.durationMs,
});

export const toWebhookAttempt = (r: Selected<'webhook_attempts'>): WebhookAttemptRecord => ({
  id: Number(r.id),
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type as WebhookEventType,
  at: Number(r.at),
  ok: Number(r.ok) === 1,
  status: nullableNumber(r.status),
  error: r.error,
  durationMs: Number(r.duration_ms),
});
