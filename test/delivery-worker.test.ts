/** The delivery worker against the real SQLite store and a real SMTP sink. */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { systemClock, type DeliveryJob, type NewMessage, type RecipientReply, type Transport } from '../src/core/ports.js';
import type { TransportName } from '../src/core/tracking.js';
import { createLocalTransport } from '../src/delivery/local-transport.js';
import { createRelayTransport } from '../src/delivery/relay-transport.js';
import { createDeliveryWorker, type DeliveryWorker } from '../src/delivery/worker.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Settlement, Store } from '../src/core/storage/store.js';
import { messageRecord } from './helpers/records.js';
import { startSmtpSink, type SinkScript, type SmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';

const RAW = Buffer.from('From: Sender <sender@example.test>\r\nTo: b@remote.test\r\nSubject: Worker test\r\n\r\nbody\r\n');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Harness {
  store: Store;
  sink: SmtpSink;
  worker: DeliveryWorker;
  settlements: Settlement[];
  failures: Array<{ job: DeliveryJob; reply: RecipientReply; statusAtNotice: string | undefined }>;
  /** Resolves with the settlements once `predicate` holds for what has been settled so far. */
  settled(predicate: (all: Settlement[]) => boolean): Promise<Settlement[]>;
  queue(recipients: string[], overrides?: Partial<NewMessage>, transport?: TransportName): Promise<NewMessage>;
}

interface HarnessOptions {
  transports?: (store: Store) => Partial<Record<TransportName, Transport>>;
  concurrency?: number;
}

async function harness(script: SinkScript = {}, extra: HarnessOptions = {}): Promise<Harness> {
  const temp = await withTempDir();
  cleanups.push(temp.remove);
  const store = await openSqliteStore(temp.dir);
  cleanups.push(() => store.close());
  const sink = await startSmtpSink(script);
  cleanups.push(() => sink.close());
  const relay = createRelayTransport({ host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, insecureTls: false }, { hostname: 'gw.test' });
  cleanups.push(() => relay.close());

  const settlements: Settlement[] = [];
  const waiters: Array<() => void> = [];
  const failures: Harness['failures'] = [];
  const worker = createDeliveryWorker({
    store,
    transports: { relay, ...extra.transports?.(store) },
    clock: systemClock,
    config: { workerConcurrency: extra.concurrency ?? 4, leaseSeconds: 60, retrySchedule: [0.05] },
    owner: `test-${newId()}`,
    log: pino({ level: 'silent' }),
    async onFinalFailure(job, reply) {
      const recipient = (await store.listRecipients(job.messageId)).find((r) => r.id === job.recipientId);
      failures.push({ job, reply, statusAtNotice: recipient?.status });
    },
    onSettled(settlement) {
      settlements.push(settlement);
      for (const wake of waiters.splice(0)) wake();
    },
  });
  cleanups.push(() => worker.stop());

  function settled(predicate: (all: Settlement[]) => boolean): Promise<Settlement[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`condition not met; settled so far: ${JSON.stringify(settlements.map((s) => s.status))}`)), 15_000);
      const check = (): void => {
        if (predicate(settlements)) {
          clearTimeout(timer);
          resolve(settlements);
        } else waiters.push(check);
      };
      check();
    });
  }

  async function queue(recipients: string[], overrides: Partial<NewMessage> = {}, transport: TransportName = 'relay'): Promise<NewMessage> {
    const now = Date.now();
    const id = newId(now);
    await store.blobs.put(id, RAW);
    const message = messageRecord({
      id,
      subject: 'Worker test',
      size: RAW.length,
      receivedAt: now,
      expiresAt: now + 3_600_000,
      rcpt: recipients,
      recipient: { transport },
      ...overrides,
    });
    await store.acceptMessage(message);
    worker.wake();
    return message;
  }

  return { store, sink, worker, settlements, failures, settled, queue };
}

describe('delivery worker', () => {
  it('defers after a temporary refusal, then delivers on the retry, recording both attempts', async () => {
    const h = await harness({ onData: (_m, i) => (i === 0 ? { code: 451, message: '4.3.0 try again later' } : undefined) });
    h.worker.start();
    const m = await h.queue(['b@remote.test']);

    await h.settled((all) => all.some((s) => s.status === 'delivered'));

    expect(h.settlements.map((s) => s.status)).toEqual(['deferred', 'delivered']);
    const [recipient] = await h.store.listRecipients(m.id);
    expect(recipient).toMatchObject({ status: 'delivered', attempts: 2, lastCode: 250 });
    const events = await h.store.listEvents(m.id);
    expect(events.map((e) => e.kind)).toEqual(['received', 'attempt', 'deferred', 'attempt', 'delivered']);
    const [first, , second] = events.slice(1);
    expect(first?.detail).toMatchObject({
      transport: 'relay',
      remoteHost: '127.0.0.1',
      remoteIp: '127.0.0.1',
      greeting: expect.stringMatching(/^220 /),
      code: 451,
      reply: '4.3.0 try again later',
      outcome: 'temporary',
    });
    expect(first?.detail).not.toHaveProperty('replies');
    expect(events[2]?.detail).toMatchObject({ code: 451, nextAttemptAt: expect.any(Number) });
    expect(second?.detail).toMatchObject({ code: 250, outcome: 'delivered', bytes: RAW.length });
    expect(h.sink.messages).toHaveLength(1);
    expect(h.failures).toEqual([]);
  });

  it('bounces on a permanent refusal and notifies only after the bounce is settled', async () => {
    const h = await harness({ onRcpt: () => ({ code: 550, message: '5.1.1 <nobody@remote.test>: user unknown' }) });
    h.worker.start();
    const m = await h.queue(['nobody@remote.test']);

    await h.settled((all) => all.length === 1);
    await expect.poll(() => h.failures.length).toBe(1);

    expect(h.settlements[0]).toMatchObject({ status: 'bounced', code: 550, reply: '5.1.1 <nobody@remote.test>: user unknown' });
    expect(h.failures[0]).toMatchObject({
      job: { messageId: m.id, address: 'nobody@remote.test' },
      reply: { outcome: 'permanent', code: 550 },
      statusAtNotice: 'bounced',
    });
    const kinds = (await h.store.listEvents(m.id)).map((e) => e.kind);
    expect(kinds).toEqual(['received', 'attempt', 'bounced']);
  });

  it('bounces a temporary failure once the message has expired', async () => {
    const h = await harness({ onData: () => ({ code: 451, message: '4.3.0 still busy' }) });
    h.worker.start();
    const m = await h.queue(['b@remote.test'], { expiresAt: Date.now() - 1 });

    await h.settled((all) => all.length === 1);
    await expect.poll(() => h.failures.length).toBe(1);

    expect(h.settlements[0]).toMatchObject({ status: 'bounced', code: 451 });
    const events = await h.store.listEvents(m.id);
    expect(events.at(-1)).toMatchObject({ kind: 'bounced', detail: { reason: 'expired', code: 451 } });
    expect(h.failures[0]?.reply).toMatchObject({ outcome: 'temporary', code: 451 });
  });

  it('sends the recipients of one message at one domain in one transaction', async () => {
    const h = await harness();
    h.worker.start();
    const m = await h.queue(['b@remote.test', 'c@remote.test', 'd@other.test']);

    await h.settled((all) => all.length === 3);

    expect(h.settlements.every((s) => s.status === 'delivered')).toBe(true);
    const byDomain = h.sink.messages.map((x) => [...x.rcptTo].sort());
    expect(byDomain.sort()).toEqual([['b@remote.test', 'c@remote.test'], ['d@other.test']].sort());
    // The two remote.test recipients share one attempt: the same transaction, started once.
    const addressOf = new Map((await h.store.listRecipients(m.id)).map((r) => [r.id, r.address]));
    const startedAt = new Map(
      (await h.store.listEvents(m.id)).filter((e) => e.kind === 'attempt').map((e) => [addressOf.get(e.recipientId ?? ''), e.detail.startedAt]),
    );
    expect(startedAt.get('b@remote.test')).toBe(startedAt.get('c@remote.test'));
  });

  it('keeps at most workerConcurrency transactions in flight and stop() waits for them', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inData = new Promise<void>((resolve) => (entered = resolve));
    let concurrent = 0;
    let peak = 0;
    const h = await harness(
      {
        async onData() {
          concurrent++;
          peak = Math.max(peak, concurrent);
          entered();
          await gate;
          concurrent--;
          return undefined;
        },
      },
      { concurrency: 1 },
    );
    h.worker.start();
    await h.queue(['b@one.test']);
    await h.queue(['c@two.test']);
    await inData;

    let stopped = false;
    const stopping = h.worker.stop().then(() => (stopped = true));
    // stop() must still be waiting: the transaction it is waiting for is held open by the sink.
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect(peak).toBe(1);
    expect(h.settlements.map((s) => s.status)).toEqual(['delivered']);
  });

  it('defers mail for a transport this process does not have', async () => {
    const h = await harness();
    h.worker.start();
    await h.queue(['b@remote.test'], {}, 'mx');

    await h.settled((all) => all.length === 1);

    expect(h.settlements[0]).toMatchObject({ status: 'deferred', code: 451, reply: '4.3.5 transport "mx" is not configured' });
  });

  it('files local mail in the inbox and bounces unknown local mailboxes', async () => {
    const h = await harness({}, { transports: (store) => ({ local: createLocalTransport(store, { newId: () => newId(), clock: systemClock }) }) });
    await h.store.createUser({ id: 'u1', email: 'alice@local.test', name: 'Alice', roles: [], createdAt: Date.now() });
    h.worker.start();
    const m = await h.queue(['Alice@local.test', 'ghost@local.test'], {}, 'local');

    await h.settled((all) => all.length === 2);

    const statuses = Object.fromEntries(
      (await h.store.listRecipients(m.id)).map((r) => [r.address, { status: r.status, code: r.lastCode, reply: r.lastReply }]),
    );
    expect(statuses).toEqual({
      'Alice@local.test': { status: 'delivered', code: 250, reply: '2.0.0 delivered to alice@local.test' },
      'ghost@local.test': { status: 'bounced', code: 550, reply: '5.1.1 mailbox unavailable' },
    });
    const inbox = await h.store.listMailbox('u1', 'inbox');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ messageId: m.id, subject: 'Worker test', fromHeader: 'Sender <sender@example.test>', size: RAW.length, unread: true });
    expect((await h.store.blobs.get(inbox[0]?.blobKey as string)).equals(RAW)).toBe(true);
  });
});
