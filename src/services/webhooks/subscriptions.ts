/**
 * Webhook subscriptions, shared by the admin API and the CLI: the signing secret is shown once at
 * creation and stored sealed; views never carry it (docs/webhooks.md).
 */
import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../../auth/secret-box.js';
import { MailgateError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Clock } from '../../core/ports.js';
import type { Store } from '../../core/storage/store.js';
import type { WebhookAttemptRecord, WebhookEndpointRecord } from '../../core/storage/webhook-store.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../core/webhook-events.js';

export interface WebhookView {
  id: string;
  url: string;
  /** Subscribed types; empty = every type. */
  events: WebhookEventType[];
  enabled: boolean;
  /** Why the endpoint was disabled, when it was. */
  disabledReason: string | null;
  disabledAt: string | null;
  /** Consecutive failed attempts so far. */
  failures: number;
  nextAttemptAt: string;
  createdBy: string;
  createdAt: string;
}

export interface WebhookAttemptView {
  eventId: string;
  type: WebhookEventType;
  at: string;
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookSubscriptions {
  /** The only time the secret is returned. */
  add(request: { url: string; events?: readonly string[] }, by: string): Promise<{ id: string; secret: string }>;
  list(): Promise<WebhookView[]>;
  get(id: string): Promise<WebhookView>;
  remove(id: string): Promise<void>;
  /** Enables a disabled endpoint again; it resumes from where it stopped. */
  enable(id: string): Promise<WebhookView>;
  /** The endpoint's delivery log, newest first. */
  log(id: string, limit: number): Promise<WebhookAttemptView[]>;
  /** Events not yet sent to enabled endpoints (the metrics gauge). */
  backlog(): Promise<number>;
}

const MAX_URL = 2048;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** http and https only, without credentials in the URL (they would show in views and logs). */
export function checkWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MailgateError('invalid_value', 'url must be an absolute http or https URL', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MailgateError('invalid_value', 'url must use http or https', 'url');
  if (url.username || url.password) throw new MailgateError('invalid_value', 'url must not contain a user name or password', 'url');
  if (text.length > MAX_URL) throw new MailgateError('invalid_value', `url must be at most ${MAX_URL} characters`, 'url');
  return url.toString();
}

function checkEvents(names: readonly string[]): WebhookEventType[] {
  for (const name of names) {
    if (!isWebhookEventType(name)) throw new MailgateError('invalid_value', `unknown event "${name}" (${WEBHOOK_EVENT_TYPES.join(', ')})`, 'events');
  }
  return [...new Set(names as WebhookEventType[])];
}

export function webhookView(e: WebhookEndpointRecord): WebhookView {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    enabled: e.disabledAt === null,
    disabledReason: e.disabledReason,
    disabledAt: iso(e.disabledAt),
    failures: e.failures,
    nextAttemptAt: new Date(e.nextAttemptAt).toISOString(),
    createdBy: e.createdBy,
    createdAt: new Date(e.createdAt).toISOString(),
  };
}

const attemptView = (a: WebhookAttemptRecord): WebhookAttemptView => ({
  eventId: a.eventId,
  type: a.eventType,
  at: new Date(a.at).toISOString(),
  ok: a.ok,
  status: a.status,
  error: a.error,
  durationMs: a.durationMs,
});

export function createWebhookSubscriptions(deps: { store: Store; secrets: SecretBox; clock: Clock }): WebhookSubscriptions {
  const { store } = deps;
  async function find(id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await store.getWebhookEndpoint(id);
    if (!endpoint) throw new MailgateError('not_found', `No webhook has the id ${id}`);
    return endpoint;
  }
  return {
    async add(request, by) {
      const url = checkWebhookUrl(request.url);
      const events = checkEvents(request.events ?? []);
      // Stripe's shape: the whole string, prefix included, is the HMAC key.
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const now = deps.clock.now();
      const id = `wh_${newId(now)}`;
      await store.addWebhookEndpoint({ id, url, events, secretSealed: deps.secrets.seal(secret), createdBy: by, createdAt: now });
      return { id, secret };
    },
    list: async () => (await store.listWebhookEndpoints()).map(webhookView),
    get: async (id) => webhookView(await find(id)),
    async remove(id) {
      if (!(await store.removeWebhookEndpoint(id))) throw new MailgateError('not_found', `No webhook has the id ${id}`);
    },
    async enable(id) {
      if (!(await store.enableWebhookEndpoint(id, deps.clock.now()))) throw new MailgateError('not_found', `No webhook has the id ${id}`);
      return webhookView(await find(id));
    },
    async log(id, limit) {
      await find(id);
      return (await store.listWebhookAttempts(id, limit)).map(attemptView);
    },
    backlog: () => store.webhookBacklog(),
  };
}
