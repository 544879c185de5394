/** JSON schemas of the admin webhook routes (validation, serialisation and the OpenAPI document). */
import { WEBHOOK_EVENT_TYPES } from '../../../core/webhook-events.js';
import { bool, int, isoDate, list, nullable, obj, oneOf, params, responses, str, type RouteSchema } from '../schemas.js';

const tags = ['webhooks'];
const eventType = oneOf(WEBHOOK_EVENT_TYPES);

const webhook = obj({
  id: str(),
  url: str(),
  events: { ...list(eventType), description: 'Subscribed types; empty = every type' },
  enabled: bool,
  disabledReason: nullable(str('Why it was disabled (repeated failures)')),
  disabledAt: nullable(isoDate()),
  failures: int('Consecutive failed attempts'),
  nextAttemptAt: isoDate(),
  createdBy: str(),
  createdAt: isoDate(),
});

const attempt = obj({
  eventId: str('The event id, the same on every attempt'),
  type: eventType,
  at: isoDate(),
  ok: bool,
  status: nullable(int('The HTTP status, when an answer came')),
  error: nullable(str()),
  durationMs: int(),
});

const byId = params('id');

export const webhookSchemas: Record<string, RouteSchema> = {
  list: { summary: 'Webhook endpoints (no secrets)', tags, response: responses({ 200: obj({ webhooks: list(webhook) }) }) },
  add: {
    summary: 'Subscribe a URL to message events; the signing secret is in this answer only (docs/webhooks.md)',
    tags,
    body: { ...obj({ url: str('http or https URL'), events: list(eventType) }, ['url']), additionalProperties: false },
    response: responses({ 201: obj({ id: str(), secret: str('Shown this once') }) }),
  },
  show: { summary: 'One webhook endpoint', tags, params: byId, response: responses({ 200: webhook }) },
  remove: { summary: 'Remove a webhook endpoint and its delivery log', tags, params: byId, response: responses({ 204: null }) },
  enable: { summary: 'Enable a disabled endpoint; it resumes from the event that failed', tags, params: byId, response: responses({ 200: webhook }) },
  log: {
    summary: 'The delivery log of an endpoint, newest first',
    tags,
    params: byId,
    querystring: obj({ limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }, []),
    response: responses({ 200: obj({ attempts: list(attempt) }) }),
  },
};
