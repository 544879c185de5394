/** The store's operations port (queue figures, the readiness write probe) on every backend. */
import { describe, expect, it } from 'vitest';
import { backends } from './helpers/backends.js';
import { messageRecord, useStore } from './helpers/records.js';

const T0 = 1_800_000_000_000;

describe.each(backends)('store health: $name', (backend) => {
  const store = useStore(backend);

  it('counts waiting recipients by state and dates the oldest waiting message', async () => {
    expect(await store().queueStats()).toEqual({ queued: 0, deferred: 0, held: 0, oldestWaitingAt: undefined });
    await store().acceptMessage(messageRecord({ receivedAt: T0 + 1000, rcpt: ['a@remote.test', 'b@remote.test'] }));
    await store().acceptMessage(messageRecord({ receivedAt: T0, rcpt: ['c@remote.test'] }));
    await store().acceptMessage(messageRecord({ receivedAt: T0 - 5000, rcpt: ['d@remote.test'], recipient: { status: 'held' } }));
    expect(await store().queueStats()).toEqual({ queued: 3, deferred: 0, held: 1, oldestWaitingAt: T0 });

    // A deferral still waits; a delivery does not.
    const jobs = await store().leaseDeliveries({ owner: 'w', limit: 10, now: T0 + 2000, leaseMs: 60_000 });
    const first = jobs.find((j) => j.address === 'c@remote.test');
    const second = jobs.find((j) => j.address === 'a@remote.test');
    expect(first?.route).toBe('outbound');
    expect(first?.source).toBe('mimecast');
    const settle = (job: typeof first, status: 'delivered' | 'deferred') =>
      store().settleDelivery(
        { recipientId: job?.recipientId as string, messageId: job?.messageId as string, leaseOwner: 'w', status, code: 250, reply: 'ok', events: [], nextAttemptAt: T0 + 60_000 },
        T0 + 2000,
      );
    expect(await settle(first, 'delivered')).toBe(true);
    expect(await settle(second, 'deferred')).toBe(true);
    expect(await store().queueStats()).toEqual({ queued: 1, deferred: 1, held: 1, oldestWaitingAt: T0 + 1000 });
  });

  it('writes and reads back the readiness probe, overwriting the previous value', async () => {
    expect(await store().probeWrite('readiness-probe', 'one')).toBe('one');
    expect(await store().probeWrite('readiness-probe', 'two')).toBe('two');
    expect(await store().getSetting('readiness-probe')).toBe('two');
  });
});
