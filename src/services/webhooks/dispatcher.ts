/**
 * Sends each endpoint the tracking events it subscribed to, in log order: an endpoint is leased by
 * one process at a time, its cursor moves only after a 2xx, and a failure stops it until its next
 * retry time, so a later event never overtakes an earlier one (docs/webhooks.md#delivery).
 */
import type { Logger } from 'pino';
import type { SecretBox } from '../../auth/secret-box.js';
import type { WebhookConfig } from '../../config/webhook-options.js';
import type { Clock } from '../../core/ports.js';
import type { Store } from '../../core/storage/store.js';
import type { LogPosition, WebhookEndpointRecord } from '../../core/storage/webhook-store.js';
import { sourceKindsOf, webhookEventId, webhookTypeOf } from '../../core/webhook-events.js';
import { nextAttemptAt } from '../../delivery/backoff.js';
import { periodicPass, type PeriodicPass } from '../periodic-pass.js';
import { buildWebhookEvent } from './payload.js';
import { postJson } from './post.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

/** Events read from the log per query. */
const BATCH = 50;
/** The delivery log keeps a month of attempts; pruned about hourly. */
const LOG_KEEP_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
const ALL_KINDS = sourceKindsOf([]);

export interface WebhookDispatcherDeps {
  store: Store;
  secrets: SecretBox;
  clock: Clock;
  log: Logger;
  config: WebhookConfig;
  /** This process's lease owner name. */
  owner: string;
}

/** A pass resolves with the number of events sent. */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps): PeriodicPass<number> {
  const { store, clock, config, owner } = deps;
  // A lease outlives the POST it covers, and every sent event renews it.
  const leaseMs = config.webhookTimeoutSeconds * 1000 + 60_000;
  let stopping = false;
  let prunedAt = 0;

  async function fail(endpoint: WebhookEndpointRecord, cursor: LogPosition, failures: number, attempt: Parameters<Store['recordWebhookAttempt']>[0]['attempt']): Promise<void> {
    const disable = failures >= config.webhookMaxFailures ? `disabled after ${failures} consecutive failures; last: ${attempt.error ?? 'failed'}` : undefined;
    const retryAt = nextAttemptAt(config.webhookRetrySchedule, failures, attempt.at);
    await store.recordWebhookAttempt({ endpointId: endpoint.id, owner, attempt, cursor, failures, nextAttemptAt: retryAt, leaseUntil: null, ...(disable ? { disable } : {}) });
    deps.log.warn({ webhook: endpoint.id, event: attempt.eventId, error: attempt.error, failures, disabled: Boolean(disable) }, 'webhook delivery failed');
  }

  /** Sends what the claimed endpoint has waiting; stops at the first failure. */
  async function drain(endpoint: WebhookEndpointRecord): Promise<number> {
    const subscribed = new Set(sourceKindsOf(endpoint.events));
    const secret = deps.secrets.open(endpoint.secretSealed);
    let cursor = endpoint.cursor;
    let sent = 0;
    for (;;) {
      const batch = stopping ? [] : await store.readEventLog(cursor, ALL_KINDS, BATCH);
      if (batch.length === 0) break;
      for (const event of batch) {
        const type = webhookTypeOf(event.kind);
        if (!type || !subscribed.has(event.kind)) {
          cursor = event.position;
          continue;
        }
        const body = JSON.stringify(await buildWebhookEvent(event, type, store));
        const signature = signatureHeader(secret, body, Math.floor(clock.now() / 1000));
        const result = await postJson(endpoint.url, body, { [SIGNATURE_HEADER]: signature }, config.webhookTimeoutSeconds * 1000);
        const at = clock.now();
        const attempt = { endpointId: endpoint.id, eventId: webhookEventId(event.id), eventType: type, at, ...result };
        if (!result.ok) {
          await fail(endpoint, cursor, endpoint.failures + 1, attempt);
          return sent;
        }
        const kept = await store.recordWebhookAttempt({ endpointId: endpoint.id, owner, attempt, cursor: event.position, failures: 0, nextAttemptAt: at, leaseUntil: at + leaseMs });
        // The lease ran out and another process took the endpoint: it carries on from the cursor.
        if (!kept) return sent;
        endpoint.failures = 0;
        cursor = event.position;
        sent += 1;
      }
    }
    await store.releaseWebhookEndpoint(endpoint.id, owner, cursor);
    return sent;
  }

  async function visit(endpoint: WebhookEndpointRecord): Promise<number> {
    // Reads first: an endpoint with nothing new is not written to on every pass.
    if ((await store.readEventLog(endpoint.cursor, ALL_KINDS, 1)).length === 0) return 0;
    const now = clock.now();
    const claimed = await store.claimWebhookEndpoint(endpoint.id, owner, now, now + leaseMs);
    // A failure here (the store is down) leaves the lease to expire; the other endpoints go on.
    return claimed
      ? drain(claimed).catch((err: unknown) => {
          deps.log.error({ err, webhook: endpoint.id }, 'webhook dispatch failed');
          return 0;
        })
      : 0;
  }

  async function pass(): Promise<number> {
    const now = clock.now();
    if (now - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = now;
      await store.pruneWebhookAttempts(now - LOG_KEEP_MS);
    }
    const due = await store.listDueWebhookEndpoints(now, owner);
    const sent = await Promise.all(due.map((endpoint) => visit(endpoint)));
    return sent.reduce((a, b) => a + b, 0);
  }

  const periodic = periodicPass(pass, { intervalMs: config.webhookPollMs, log: deps.log, name: 'webhooks' });
  return {
    start() {
      stopping = false;
      periodic.start();
    },
    runOnce: periodic.runOnce,
    async stop() {
      // An endpoint being drained stops after its POST in flight and gives up its lease.
      stopping = true;
      await periodic.stop();
    },
  };
}
