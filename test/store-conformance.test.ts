/** One suite every storage backend must pass, on a real database with isolated state per test. */
import { describe, expect, it } from 'vitest';
import type { NewMessage } from '../src/core/ports.js';
import { backends } from './helpers/backends.js';
import { messageRecord, useStore, type MessageShape } from './helpers/records.js';

const T0 = 1_800_000_000_000;

function message(overrides: MessageShape = {}, rcpt = ['a@remote.test', 'b@remote.test']): NewMessage {
  return messageRecord({ receivedAt: T0, meta: { via: 'test' }, rcpt, ...overrides });
}

describe.each(backends)('store conformance: $name', (backend) => {
  const store = useStore(backend);

  it('finds users by email case-insensitively, keeping the case they were created with; roles and delegations', async () => {
    await store().createUser({ id: 'u1', email: 'Alice@Example.test', name: 'Alice', roles: ['admin'], createdAt: T0 });
    const found = await store().getUserByEmail('alice@EXAMPLE.test');
    expect(found).toEqual({ id: 'u1', email: 'Alice@Example.test', name: 'Alice', roles: ['admin'], createdAt: T0 });
    expect(await store().getUserById('u1')).toEqual(found);
    await expect(
      store().createUser({ id: 'u2', email: 'alice@example.test', name: null, roles: [], createdAt: T0 }),
    ).rejects.toThrow();
    await store().addDelegation('u1', 'Shared@Example.test');
    await store().addDelegation('u1', 'shared@example.test');
    expect(await store().listDelegations('u1')).toEqual(['shared@example.test']);
    expect(await store().getUserByEmail('nobody@example.test')).toBeUndefined();
  });

  it('stores API apps and keys, and remembers request ids within their window', async () => {
    await store().createUser({ id: 'u1', email: 'a@example.test', name: null, roles: ['user'], createdAt: T0 });
    await store().createApiApp({ appId: 'app', appKeyEnc: 'sealed-app', name: 'n', createdAt: T0 });
    await store().createApiKey({ accessKey: 'ak', secretKeyEnc: 'sealed', appId: 'app', userId: 'u1', expiresAt: T0 + 5, createdAt: T0 });
    expect(await store().getApiKey('ak')).toMatchObject({ appId: 'app', userId: 'u1', expiresAt: T0 + 5 });
    expect(await store().getApiApp('app')).toMatchObject({ appKeyEnc: 'sealed-app' });
    expect(await store().rememberRequestId('r1', T0, 1000)).toBe(true);
    expect(await store().rememberRequestId('r1', T0 + 10, 1000)).toBe(false);
    expect(await store().rememberRequestId('r1', T0 + 5000, 1000)).toBe(true);
  });

  it('returns the newest DKIM key of a domain', async () => {
    const key = { domain: 'example.test', algorithm: 'rsa-sha256' as const, privateKeyEnc: 'x', publicKey: 'p' };
    await store().putDkimKey({ ...key, selector: 'old', createdAt: T0 });
    await store().putDkimKey({ ...key, selector: 'new', createdAt: T0 + 1 });
    expect((await store().getDkimKey('EXAMPLE.test'))?.selector).toBe('new');
    expect(await store().getDkimKey('other.test')).toBeUndefined();
  });

  it('keeps blobs durable and readable, and files pointing at them', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 13, 10]);
    await store().blobs.put('blob-key-0001', bytes);
    expect(await store().blobs.get('blob-key-0001')).toEqual(bytes);
    await expect(store().blobs.put('../escape', bytes)).rejects.toThrow();
    await store().createUser({ id: 'u1', email: 'a@example.test', name: null, roles: [], createdAt: T0 });
    await store().createFile({ id: 'f1', userId: 'u1', size: 6, sha256: 'ab', blobKey: 'blob-key-0001', createdAt: T0 });
    expect(await store().getFile('f1')).toMatchObject({ size: 6, blobKey: 'blob-key-0001' });
    await store().blobs.delete('blob-key-0001');
    await expect(store().blobs.get('blob-key-0001')).rejects.toThrow();
  });

  it('accepts a message with its recipients and events in one commit', async () => {
    const m = message();
    await store().acceptMessage(m);
    expect(await store().getMessage(m.id)).toMatchObject({ id: m.id, status: 'queued', meta: { via: 'test' }, subject: 'Hello' });
    const recipients = await store().listRecipients(m.id);
    expect(recipients.map((r) => r.address).sort()).toEqual(['a@remote.test', 'b@remote.test']);
    expect(recipients.every((r) => r.status === 'queued' && r.attempts === 0)).toBe(true);
    expect((await store().listEvents(m.id)).map((e) => e.kind)).toEqual(['received']);
  });

  it('stores an accepted message’s content with it, small or large, and stores neither when the message is refused', async () => {
    const small = message();
    const large = message();
    const smallBytes = Buffer.from('Subject: small\r\n\r\nbody\r\n');
    // Past SQLite's inline limit (256 KB): a file there, made durable before the commit.
    const largeBytes = Buffer.alloc(300 * 1024, 'x');
    await store().acceptMessage(small, smallBytes);
    await store().acceptMessage(large, largeBytes);
    expect(await store().blobs.get(small.blobKey)).toEqual(smallBytes);
    expect(await store().blobs.get(large.blobKey)).toEqual(largeBytes);

    // Same id: the message is refused, and the content written in its transaction goes with it.
    const clash = { ...message(), id: small.id, blobKey: 'refused-blob-0001' };
    await expect(store().acceptMessage(clash, Buffer.from('refused'))).rejects.toThrow(/UNIQUE|duplicate key/);
    await expect(store().blobs.get('refused-blob-0001')).rejects.toThrow();
    expect(await store().blobs.get(small.blobKey)).toEqual(smallBytes);
  });

  it('group-commits concurrent acceptances, and one bad message does not fail its neighbours', async () => {
    const good = Array.from({ length: 50 }, () => message());
    const duplicate = { ...message(), id: good[0]!.id };
    const results = await Promise.allSettled([...good, duplicate].map((m) => store().acceptMessage(m)));
    expect(results.slice(0, 50).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[50]?.status).toBe('rejected');
    for (const m of good) expect(await store().getMessage(m.id)).toBeDefined();
  });

  it('leases due recipients once, and again only after the lease expires', async () => {
    const m = message();
    await store().acceptMessage(m);
    const first = await store().leaseDeliveries({ owner: 'w1', limit: 10, now: T0, leaseMs: 1000 });
    expect(first).toHaveLength(2);
    expect(first[0]).toMatchObject({ messageId: m.id, mailFrom: 'sender@example.test', blobKey: m.id, leaseOwner: 'w1' });
    expect(await store().leaseDeliveries({ owner: 'w2', limit: 10, now: T0 + 500, leaseMs: 1000 })).toHaveLength(0);
    expect(await store().nextDueAt()).toBe(T0 + 1000);
    const taken = await store().leaseDeliveries({ owner: 'w2', limit: 10, now: T0 + 1001, leaseMs: 1000 });
    expect(taken.map((j) => j.leaseOwner)).toEqual(['w2', 'w2']);
    // The first worker lost its lease: its late settlement must not count.
    const lost = await store().settleDelivery(
      { recipientId: first[0]!.recipientId, messageId: m.id, leaseOwner: 'w1', status: 'delivered', code: 250, reply: 'ok', events: [] },
      T0 + 1100,
    );
    expect(lost).toBe(false);
  });

  it('accepts a message whose durability a later write brings, and flushes on request', async () => {
    const m = message();
    await store().acceptMessage(m, Buffer.from('carried'), { durable: false });
    expect(await store().getMessage(m.id)).toMatchObject({ id: m.id });
    await store().flushWrites();
    expect(await store().blobs.get(m.blobKey)).toEqual(Buffer.from('carried'));
  });

  it('leases every recipient it returns, whatever the batch size (1, 3, then 5 of 9)', async () => {
    for (let i = 0; i < 3; i++) await store().acceptMessage(message({}, [`a${i}@remote.test`, `b${i}@remote.test`, `c${i}@remote.test`]));
    const leased: string[] = [];
    for (const [limit, owner] of [[1, 'a'], [3, 'b'], [5, 'c']] as const) {
      const batch = await store().leaseDeliveries({ owner, limit, now: T0, leaseMs: 60_000 });
      expect(batch).toHaveLength(limit);
      expect(batch.every((j) => j.leaseOwner === owner)).toBe(true);
      leased.push(...batch.map((j) => j.recipientId));
    }
    expect(new Set(leased).size).toBe(9);
    expect(await store().leaseDeliveries({ owner: 'late', limit: 10, now: T0 + 1, leaseMs: 60_000 })).toHaveLength(0);
  });

  it('settles deliveries with events and derives the message status', async () => {
    const m = message();
    await store().acceptMessage(m);
    const [a, b] = await store().leaseDeliveries({ owner: 'w', limit: 10, now: T0, leaseMs: 60_000 });
    const deferred = await store().settleDelivery(
      {
        recipientId: a!.recipientId,
        messageId: m.id,
        leaseOwner: 'w',
        status: 'deferred',
        nextAttemptAt: T0 + 5000,
        code: 451,
        reply: 'try later',
        events: [{ messageId: m.id, recipientId: a!.recipientId, kind: 'deferred', at: T0, detail: { code: 451 } }],
      },
      T0,
    );
    expect(deferred).toBe(true);
    await store().settleDelivery(
      { recipientId: b!.recipientId, messageId: m.id, leaseOwner: 'w', status: 'delivered', code: 250, reply: 'ok', events: [] },
      T0,
    );
    expect((await store().getMessage(m.id))?.status).toBe('queued');
    expect(await store().nextDueAt()).toBe(T0 + 5000);
    expect(await store().leaseDeliveries({ owner: 'w', limit: 10, now: T0 + 4999, leaseMs: 1 })).toHaveLength(0);
    const [again] = await store().leaseDeliveries({ owner: 'w', limit: 10, now: T0 + 5000, leaseMs: 60_000 });
    expect(again?.attempts).toBe(1);
    await store().settleDelivery(
      { recipientId: again!.recipientId, messageId: m.id, leaseOwner: 'w', status: 'bounced', code: 550, reply: 'no', events: [] },
      T0 + 5000,
    );
    expect((await store().getMessage(m.id))?.status).toBe('partial');
    const recipients = await store().listRecipients(m.id);
    expect(recipients.find((r) => r.id === a!.recipientId)).toMatchObject({ status: 'bounced', attempts: 2, lastCode: 550 });
    expect((await store().listEvents(m.id)).map((e) => e.kind)).toEqual(['received', 'deferred']);
    expect(await store().nextDueAt()).toBeUndefined();
    // Settled recipients are final: a second settlement is refused.
    expect(
      await store().settleDelivery(
        { recipientId: a!.recipientId, messageId: m.id, leaseOwner: 'w', status: 'delivered', code: 250, reply: 'ok', events: [] },
        T0 + 6000,
      ),
    ).toBe(false);
  });

  it('files mailbox entries per user and folder, newest first', async () => {
    await store().createUser({ id: 'u1', email: 'a@example.test', name: null, roles: [], createdAt: T0 });
    const entry = { userId: 'u1', folder: 'inbox', messageId: null, blobKey: 'k', subject: 's', fromHeader: 'f', size: 1, unread: true };
    await store().addToMailbox({ ...entry, id: 'm1', receivedAt: T0 });
    await store().addToMailbox({ ...entry, id: 'm2', receivedAt: T0 + 1 });
    await store().addToMailbox({ ...entry, id: 'm3', receivedAt: T0, folder: 'sent' });
    expect((await store().listMailbox('u1', 'inbox')).map((e) => e.id)).toEqual(['m2', 'm1']);
  });
});
