/**
 * Several stores on one database, as several gateway processes have: leases never overlap, rate
 * counters are shared, and (where the backend can) a commit in one wakes the others.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import type { NewMessage } from '../src/core/ports.js';
import { backends, postgresBackend, sharedStoresPerTest } from './helpers/backends.js';

const T0 = 1_800_000_000_000;

function message(): NewMessage {
  const id = newId(T0);
  return {
    id,
    internetMessageId: `<${id}@gw.test>`,
    source: 'mimecast',
    route: 'outbound',
    userId: null,
    mailFrom: 'sender@example.test',
    fromHeader: 'sender@example.test',
    subject: 'shared',
    size: 10,
    blobKey: id,
    receivedAt: T0,
    expiresAt: T0 + 86_400_000,
    meta: {},
    recipients: [
      { id: newId(T0), address: 'a@remote.test', domain: 'remote.test', kind: 'to', transport: 'relay', status: 'queued', nextAttemptAt: T0 },
    ],
    events: [],
  };
}

const shared = sharedStoresPerTest();

describe.each(backends)('stores sharing one database: $name', (backend) => {
  it('never lease one recipient to two stores leasing at the same time', async () => {
    const [a, b, c] = await shared(backend, 3);
    const messages = Array.from({ length: 300 }, message);
    await Promise.all(messages.map((m) => a!.acceptMessage(m)));
    const leased = new Map<string, string>();
    await Promise.all(
      [a!, b!, c!].map(async (store, i) => {
        for (;;) {
          const jobs = await store.leaseDeliveries({ owner: `w${i}`, limit: 7, now: T0, leaseMs: 60_000 });
          if (jobs.length === 0) return;
          for (const job of jobs) {
            expect(leased.get(job.recipientId)).toBeUndefined();
            leased.set(job.recipientId, job.leaseOwner);
          }
        }
      }),
    );
    expect(leased.size).toBe(300);
  });

  it('count rate-limit tokens of one key together, and start a new window when it ends', async () => {
    const [a, b] = await shared(backend, 2);
    const decisions = [];
    for (let i = 0; i < 9; i++) decisions.push(await (i % 2 === 0 ? a! : b!).takeRateToken('key-1', T0 + i, 6, 60_000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, true, false, false, false]);
    expect(decisions[5]).toEqual({ allowed: true, limit: 6, remaining: 0, resetMs: 60_000 - 5 });
    expect((await b!.takeRateToken('key-2', T0, 6, 60_000)).remaining).toBe(5);
    expect(await a!.takeRateToken('key-1', T0 + 60_000, 6, 60_000)).toEqual({ allowed: true, limit: 6, remaining: 5, resetMs: 60_000 });
  });

  it('agree on a counter under concurrent takes', async () => {
    const [a, b] = await shared(backend, 2);
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a! : b!).takeRateToken('hot', T0, 25, 60_000)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
  });
});

describe('LISTEN/NOTIFY between PostgreSQL stores', () => {
  it('wakes the other store when one commits new mail, and not when it only leases', async () => {
    const [a, b] = await shared(postgresBackend, 2);
    expect(a!.capabilities.listenNotify).toBe(true);
    let ownWakes = 0;
    a!.onWake(() => (ownWakes += 1));
    const woken = new Promise<void>((resolve) => b!.onWake(resolve));
    await a!.acceptMessage(message());
    await woken;
    let wakesAfterLease = 0;
    b!.onWake(() => (wakesAfterLease += 1));
    await a!.leaseDeliveries({ owner: 'w', limit: 10, now: T0, leaseMs: 1000 });
    // A second accept is the marker: its wake-up arrives after any the lease could have caused.
    const marker = new Promise<void>((resolve) => b!.onWake(resolve));
    await a!.acceptMessage(message());
    await marker;
    expect(wakesAfterLease).toBe(1);
    expect(ownWakes).toBe(0);
  });
});
