/**
 * The gateway's Prometheus metrics (docs/operations-metrics.md): one registry per gateway, so that
 * several gateways in one process (tests) never collide in prom-client's global default registry.
 * Counters move at the seams every way in shares (ingest, delivery settlement, held review, the
 * SMTP hooks, the HTTP response hook); gauges read from the store are refreshed at scrape time by
 * collectors registered with `onScrape`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';

/** Seconds; from a local delivery (milliseconds) to a slow remote MX (minutes). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds; store calls are usually well under a millisecond on SQLite. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** Per-message events: a message is accepted once, and may be held, released or rejected. */
export type MessageEvent = 'accepted' | 'held' | 'released' | 'rejected';
/** Per-recipient outcomes of a delivery attempt. */
export type DeliveryOutcome = 'delivered' | 'deferred' | 'bounced';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly messages: Counter<'event' | 'route' | 'dialect'>;
  readonly deliveries: Counter<'outcome' | 'route' | 'dialect' | 'transport'>;
  /** Seconds from a submission reaching ingest() to its durable acceptance (or refusal), per way in. */
  readonly acceptDuration: Histogram<'dialect' | 'result'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_class'>;
  readonly attemptDuration: Histogram<'transport'>;
  readonly smtpReplies: Counter<'command' | 'class'>;
  readonly authFailures: Counter<'way'>;
  readonly storeDuration: Histogram<'operation'>;
  readonly queueDepth: Gauge<'state'>;
  readonly queueOldestAge: Gauge;
  /** Webhook events waiting in the outbox; fed by the webhook service through `onScrape`. */
  readonly webhookBacklog: Gauge;
  /** The request body memory budget (api/body-memory.ts): bytes admitted, requests waiting. */
  readonly httpBodyMemory: Gauge;
  readonly httpBodyWaiting: Gauge;
  /**
   * Runs `collect` before every scrape (e.g. to set a gauge from the store). A collector that
   * throws is logged and counted in `mailgate_metrics_collector_errors_total`; the others still run.
   */
  onScrape(collect: () => void | Promise<void>): void;
  /** The Prometheus text exposition, after every collector ran. */
  scrape(): Promise<string>;
}

export function createMetrics(log: Logger): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  // Event-loop lag, heap, GC, CPU, file descriptors: prom-client's standard process metrics.
  collectDefaultMetrics({ register: registry });
  const collectors: Array<() => void | Promise<void>> = [];
  const collectorErrors = new Counter({
    name: 'mailgate_metrics_collector_errors_total',
    help: 'Scrape-time collectors that failed (e.g. the store was unreachable while reading the queue depth)',
    registers,
  });

  return {
    registry,
    messages: new Counter({
      name: 'mailgate_messages_total',
      help: 'Messages accepted, held, released from hold and rejected (at submission or on review), by route and way in',
      labelNames: ['event', 'route', 'dialect'],
      registers,
    }),
    deliveries: new Counter({
      name: 'mailgate_deliveries_total',
      help: 'Per-recipient delivery outcomes (delivered, deferred, bounced), by route, way in and transport',
      labelNames: ['outcome', 'route', 'dialect', 'transport'],
      registers,
    }),
    acceptDuration: new Histogram({
      name: 'mailgate_accept_duration_seconds',
      help: 'Time to accept a submission durably (or refuse it), per way in (mimecast, graph, works, smtp, system)',
      labelNames: ['dialect', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'mailgate_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    attemptDuration: new Histogram({
      name: 'mailgate_delivery_attempt_duration_seconds',
      help: 'Duration of one delivery attempt (one SMTP transaction or local delivery), by transport',
      labelNames: ['transport'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    smtpReplies: new Counter({
      name: 'mailgate_smtp_replies_total',
      help: 'Replies the SMTP listener gave to connections and commands the gateway decides, by command and class (2xx, 4xx, 5xx)',
      labelNames: ['command', 'class'],
      registers,
    }),
    authFailures: new Counter({
      name: 'mailgate_auth_failures_total',
      help: 'Refused credentials, by way in (mimecast, graph, works, admin, smtp)',
      labelNames: ['way'],
      registers,
    }),
    storeDuration: new Histogram({
      name: 'mailgate_store_operation_duration_seconds',
      help: 'Duration of the main store operations (acceptance, leasing, settling, lookups)',
      labelNames: ['operation'],
      buckets: STORE_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'mailgate_queue_depth',
      help: 'Recipients waiting, by state (queued, deferred, held), read from the store at scrape time',
      labelNames: ['state'],
      registers,
    }),
    queueOldestAge: new Gauge({
      name: 'mailgate_queue_oldest_age_seconds',
      help: 'Age of the oldest message with a recipient still queued or deferred (0 when none), read at scrape time',
      registers,
    }),
    webhookBacklog: new Gauge({
      name: 'mailgate_webhook_backlog',
      help: 'Webhook events waiting to be sent',
      registers,
    }),
    httpBodyMemory: new Gauge({
      name: 'mailgate_http_body_memory_bytes',
      help: 'Bytes of request bodies read whole that the memory budget (MAILGATE_HTTP_BODY_MEMORY_MB) has let in',
      registers,
    }),
    httpBodyWaiting: new Gauge({
      name: 'mailgate_http_body_waiting',
      help: 'Requests waiting for room in the body memory budget before their body is read',
      registers,
    }),
    onScrape(collect) {
      collectors.push(collect);
    },
    async scrape() {
      await Promise.all(
        collectors.map(async (collect) => {
          try {
            await collect();
          } catch (err) {
            collectorErrors.inc();
            log.warn({ err }, 'metrics: a collector failed; its gauges keep their last value');
          }
        }),
      );
      return registry.metrics();
    },
  };
}

/** `2xx`, `4xx`, `5xx` for a status or reply code. */
export function codeClass(code: number): string {
  return `${Math.floor(code / 100)}xx`;
}
