/** Where the gateway's shared seams feed the metrics: ingest, delivery settlement, held review, the queue. */
import type { Logger } from 'pino';
import { isMailgateError } from '../core/errors.js';
import type { AcceptedMessage, Submission } from '../core/message.js';
import type { AttemptRecord, Clock, DeliveryJob } from '../core/ports.js';
import type { HoldAction } from '../core/held-review.js';
import type { Settlement, Store } from '../core/storage/store.js';
import type { DeliveryOutcome, GatewayMetrics } from './registry.js';

type Ingest = (submission: Submission) => Promise<AcceptedMessage>;

/** Refused submissions never got a route: ingest() decides it after validation. */
const NO_ROUTE = 'none';

/**
 * ingest() timed and counted per way in: accepted (and held, when any recipient is) or rejected;
 * the accepted id is handed to the HTTP request being served, for its access-log line.
 */
export function observedIngest(ingest: Ingest, metrics: GatewayMetrics): Ingest {
  return async (submission) => {
    const dialect = submission.source;
    const end = metrics.acceptDuration.startTimer({ dialect });
    let accepted: AcceptedMessage;
    try {
      accepted = await ingest(submission);
    } catch (error) {
      end({ result: 'refused' });
      // Only refusals of the submission itself; an outage (503) or a bug is not a rejected message.
      if (isMailgateError(error) && !error.retryable) metrics.messages.inc({ event: 'rejected', route: NO_ROUTE, dialect });
      throw error;
    }
    end({ result: 'accepted' });
    metrics.messages.inc({ event: 'accepted', route: accepted.route, dialect });
    if (accepted.recipients.some((r) => r.status === 'held')) metrics.messages.inc({ event: 'held', route: accepted.route, dialect });
    submission.acceptedIds?.push(accepted.id);
    return accepted;
  };
}

export function observeSettlement(metrics: GatewayMetrics) {
  return (settlement: Settlement, job: DeliveryJob): void => {
    const outcome: DeliveryOutcome = settlement.status;
    metrics.deliveries.inc({ outcome, route: job.route, dialect: job.source, transport: job.transport });
  };
}

export function observeAttempt(metrics: GatewayMetrics) {
  return (record: AttemptRecord): void => {
    metrics.attemptDuration.observe({ transport: record.transport }, Math.max(0, record.endedAt - record.startedAt) / 1000);
  };
}

/** Releases and rejections (by an operator or on expiry), labelled with the message's route and way in. */
export function observeHeldActions(metrics: GatewayMetrics, store: Pick<Store, 'getMessage'>, log: Logger) {
  return async (messageId: string, action: HoldAction['action']): Promise<void> => {
    // The action is done and must not be reported as failed: a lookup failure only loses labels.
    const message = await store.getMessage(messageId).catch((err: unknown) => {
      log.warn({ err, messageId }, 'metrics: could not label a held-message action');
      return undefined;
    });
    const labels = { route: message?.route ?? NO_ROUTE, dialect: message?.source ?? 'unknown' };
    metrics.messages.inc({ ...labels, event: action === 'release' ? 'released' : 'rejected' });
  };
}

/** Queue depth and the oldest waiting message's age, read from the store at every scrape. */
export function collectQueue(metrics: GatewayMetrics, store: Pick<Store, 'queueStats'>, clock: Clock) {
  return async (): Promise<void> => {
    const stats = await store.queueStats();
    metrics.queueDepth.set({ state: 'queued' }, stats.queued);
    metrics.queueDepth.set({ state: 'deferred' }, stats.deferred);
    metrics.queueDepth.set({ state: 'held' }, stats.held);
    metrics.queueOldestAge.set(stats.oldestWaitingAt === undefined ? 0 : Math.max(0, clock.now() - stats.oldestWaitingAt) / 1000);
  };
}
