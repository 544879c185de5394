/**
 * The delivery loop: lease due recipients, send each (message, transport, domain) group in one
 * transaction, and settle every recipient with its attempt and outcome events.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { AttemptRecord, Clock, Content, DeliveryJob, NewEvent, RecipientReply, Transport } from '../core/ports.js';
import { EVENT_KIND, type TransportName } from '../core/tracking.js';
import type { Settlement, Store } from '../core/storage/store.js';
import { retryDecision } from './backoff.js';
import type { LocalEnvelope } from './local-transport.js';

export interface DeliveryWorkerDeps {
  store: Store;
  transports: Partial<Record<TransportName, Transport>>;
  clock: Clock;
  config: Pick<Config, 'workerConcurrency' | 'leaseSeconds' | 'retrySchedule'>;
  /** Unique per process: leases are held in this name. */
  owner: string;
  log: Logger;
  /** Sends the sender's failure notice; called after the bounce is settled. */
  onFinalFailure(job: DeliveryJob, reply: RecipientReply): Promise<void>;
  onSettled?(settlement: Settlement, job: DeliveryJob): void;
  /** Called after each attempt (one transaction for a group of recipients), before settling. */
  onAttempt?(record: AttemptRecord): void;
}

export interface DeliveryWorker {
  start(): void;
  /** New work was committed: look now instead of at the next due time. */
  wake(): void;
  /** Stops leasing and resolves once in-flight transactions are settled. */
  stop(): Promise<void>;
}

/** A safety net against wall-clock jumps and work committed by processes that cannot wake us. */
const MAX_IDLE_MS = 30_000;
/** Pause after the store itself failed, so a broken database is not hammered. */
const STORE_ERROR_PAUSE_MS = 1_000;

function groupKey(job: DeliveryJob): string {
  return `${job.messageId}\u0000${job.transport}\u0000${job.domain.toLowerCase()}`;
}

/** Recipients of one message, for one transport and domain, go in one SMTP transaction. */
export function groupJobs(jobs: readonly DeliveryJob[]): DeliveryJob[][] {
  const groups = new Map<string, DeliveryJob[]>();
  for (const job of jobs) {
    const key = groupKey(job);
    const group = groups.get(key);
    if (group) group.push(job);
    else groups.set(key, [job]);
  }
  return [...groups.values()];
}

const temporary = (text: string): RecipientReply => ({ outcome: 'temporary', code: 451, reply: text });

/** The events and final state for one recipient after an attempt; pure, so it is tested alone. */
export function settlementFor(
  job: DeliveryJob,
  record: AttemptRecord,
  reply: RecipientReply,
  now: number,
  retrySchedule: readonly number[],
): Settlement {
  const attempt: Partial<AttemptRecord> = { ...record };
  delete attempt.replies;
  const base = { messageId: job.messageId, recipientId: job.recipientId, at: now };
  const said = { code: reply.code, reply: reply.reply };
  const events: NewEvent[] = [
    { ...base, kind: EVENT_KIND.attempt, detail: { ...attempt, ...said, outcome: reply.outcome } },
  ];
  const settle = (status: Settlement['status'], extra: Partial<Settlement> = {}): Settlement => ({
    recipientId: job.recipientId,
    messageId: job.messageId,
    leaseOwner: job.leaseOwner,
    status,
    code: reply.code,
    reply: reply.reply,
    events,
    ...extra,
  });

  if (reply.outcome === 'delivered') {
    events.push({ ...base, kind: EVENT_KIND.delivered, detail: said });
    return settle('delivered');
  }
  if (reply.outcome === 'permanent') {
    events.push({ ...base, kind: EVENT_KIND.bounced, detail: { ...said, reason: 'permanent' } });
    return settle('bounced');
  }
  const decision = retryDecision(retrySchedule, job.attempts + 1, now, job.expiresAt);
  if (decision.kind === 'expire') {
    events.push({ ...base, kind: EVENT_KIND.bounced, detail: { ...said, reason: 'expired', attempts: job.attempts + 1 } });
    return settle('bounced');
  }
  events.push({ ...base, kind: EVENT_KIND.deferred, detail: { ...said, nextAttemptAt: decision.at, attempts: job.attempts + 1 } });
  return settle('deferred', { nextAttemptAt: decision.at });
}

/** Creates the lease → send → settle loop; nothing runs until `start()`. */
export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { store, transports, clock, config, owner, log } = deps;
  const concurrency = config.workerConcurrency;
  const leaseMs = config.leaseSeconds * 1000;
  const inFlight = new Set<Promise<void>>();

  let running = false;
  let loop: Promise<void> | undefined;
  // Set by wake() and by finished transactions; checked before sleeping so no wake-up is lost.
  let poked = false;
  let interruptSleep: (() => void) | undefined;

  function poke(): void {
    poked = true;
    interruptSleep?.();
  }

  function sleep(ms: number): Promise<void> {
    if (poked || !running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        interruptSleep = undefined;
        resolve();
      }
      interruptSleep = done;
    });
  }

  async function idleDelay(): Promise<number> {
    try {
      const due = await store.nextDueAt();
      if (due === undefined) return MAX_IDLE_MS;
      return Math.min(Math.max(due - clock.now(), 0), MAX_IDLE_MS);
    } catch (err) {
      log.error({ err }, 'delivery: reading the next due time failed');
      return STORE_ERROR_PAUSE_MS;
    }
  }

  async function settle(job: DeliveryJob, record: AttemptRecord, reply: RecipientReply): Promise<void> {
    const now = clock.now();
    const settlement = settlementFor(job, record, reply, now, config.retrySchedule);
    const kept = await store.settleDelivery(settlement, now);
    if (!kept) {
      // The lease ran out mid-transaction and another worker took the recipient; its result stands.
      log.warn({ recipientId: job.recipientId, messageId: job.messageId }, 'delivery: lease lost before settling');
      return;
    }
    log.info(
      { messageId: job.messageId, recipientId: job.recipientId, status: settlement.status, code: reply.code, transport: record.transport },
      'delivery: %s %s',
      settlement.status,
      job.address,
    );
    deps.onSettled?.(settlement, job);
    if (settlement.status === 'bounced') {
      try {
        await deps.onFinalFailure(job, reply);
      } catch (err) {
        log.error({ err, messageId: job.messageId, recipientId: job.recipientId }, 'delivery: failure notice could not be sent');
      }
    }
  }

  async function attempt(group: DeliveryJob[]): Promise<AttemptRecord> {
    const first = group[0] as DeliveryJob;
    const startedAt = clock.now();
    const failAll = (reply: RecipientReply): AttemptRecord => ({
      transport: first.transport,
      startedAt,
      endedAt: clock.now(),
      bytes: 0,
      replies: Object.fromEntries(group.map((j) => [j.address, reply])),
    });
    const transport = transports[first.transport];
    // Mail queued for a transport this process was started without (e.g. relay removed from the
    // config): keep it until someone restores the transport or the message expires.
    if (!transport) return failAll(temporary(`4.3.5 transport "${first.transport}" is not configured`));
    let content: Content;
    try {
      content = await store.blobs.read(first.blobKey);
    } catch (err) {
      log.error({ err, messageId: first.messageId }, 'delivery: message content unreadable');
      return failAll(temporary(`4.3.0 message content unavailable: ${(err as Error).message}`));
    }
    const rcptTo = [...new Map(group.map((j) => [j.address.toLowerCase(), j.address])).values()];
    const envelope: LocalEnvelope = { mailFrom: first.mailFrom, rcptTo, domain: first.domain, messageId: first.messageId };
    try {
      return await transport.send(envelope, content);
    } catch (err) {
      // Transports record refusals rather than throw; a throw is a bug, but must not lose mail.
      log.error({ err, messageId: first.messageId, transport: first.transport }, 'delivery: transport threw');
      return failAll(temporary(`4.3.0 transport error: ${(err as Error).message}`));
    }
  }

  async function deliver(group: DeliveryJob[]): Promise<void> {
    const record = await attempt(group);
    deps.onAttempt?.(record);
    const byAddress = new Map(Object.entries(record.replies).map(([a, r]) => [a.toLowerCase(), r]));
    await Promise.all(
      group.map(async (job) => {
        const reply = byAddress.get(job.address.toLowerCase()) ?? temporary('4.3.0 the transport gave no reply for this recipient');
        try {
          await settle(job, record, reply);
        } catch (err) {
          // Left leased: the lease expires and the recipient is tried again, by us or anyone.
          log.error({ err, recipientId: job.recipientId }, 'delivery: settling failed');
        }
      }),
    );
  }

  function launch(group: DeliveryJob[]): void {
    const task = deliver(group).finally(() => {
      inFlight.delete(task);
      // A deferral may now be due sooner than the sleep we are in was computed for.
      poke();
    });
    inFlight.add(task);
  }

  async function run(): Promise<void> {
    while (running) {
      const free = concurrency - inFlight.size;
      if (free <= 0) {
        poked = false;
        await Promise.race([...inFlight, sleep(MAX_IDLE_MS)]);
        continue;
      }
      poked = false;
      let jobs: DeliveryJob[];
      try {
        // No more recipients than free slots: a leased job must start now, or its lease could
        // run out while it waits and the recipient would go out twice.
        jobs = await store.leaseDeliveries({ owner, limit: free, now: clock.now(), leaseMs });
      } catch (err) {
        log.error({ err }, 'delivery: leasing failed');
        await sleep(STORE_ERROR_PAUSE_MS);
        continue;
      }
      if (!running) {
        // Stopped while leasing: these leases simply expire and are taken again later.
        break;
      }
      for (const group of groupJobs(jobs)) launch(group);
      if (jobs.length > 0) continue;
      await sleep(await idleDelay());
    }
    await Promise.allSettled([...inFlight]);
  }

  return {
    start() {
      if (running) return;
      if (concurrency <= 0) {
        log.info('delivery: worker concurrency is 0, this process does not deliver');
        return;
      }
      running = true;
      poked = true;
      loop = run().catch((err: unknown) => {
        log.error({ err }, 'delivery: worker loop crashed');
      });
    },
    wake() {
      poke();
    },
    async stop() {
      running = false;
      interruptSleep?.();
      await loop;
      loop = undefined;
    },
  };
}
