/**
 * Store writes retried after an unknown commit outcome land once and answer as the first try
 * would have (docs/retries.md): write ids carried into retries, fresh-id inserts, conditional
 * updates. Both backends take the same write twice; on PostgreSQL a proxy also loses the reply to
 * a commit that landed, so the reconnect layer retries it for real.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../src/core/ports.js';
import type { Settlement, Store } from '../src/core/storage/store.js';
import { openPostgresStore } from '../src/store/postgres/store.js';
import { backends, postgresBehindProxy } from './helpers/backends.js';
import { messageRecord, useStore } from './helpers/records.js';
import type { TcpProxy } from './helpers/tcp-proxy.js';

const T0 = 1_800_000_000_000;
const USER = { id: 'u1', email: 'a@example.test', name: null, roles: [], createdAt: T0 };

const viewed = (messageId: string, at: number): NewEvent => ({ messageId, kind: 'viewed', at, detail: { by: 'admin' } });

/** A leased recipient of a fresh message, and its settlement as the worker would make it. */
async function leasedSettlement(store: Store): Promise<Settlement> {
  const m = messageRecord({ receivedAt: T0 });
  await store.acceptMessage(m);
  const [job] = await store.leaseDeliveries({ owner: 'w', limit: 1, now: T0, leaseMs: 60_000 });
  return {
    recipientId: job!.recipientId,
    messageId: m.id,
    leaseOwner: 'w',
    status: 'delivered',
    code: 250,
    reply: 'ok',
    events: [{ messageId: m.id, recipientId: job!.recipientId, kind: 'attempt', at: T0, detail: {} }, { messageId: m.id, recipientId: job!.recipientId, kind: 'delivered', at: T0, detail: {} }],
  };
}

describe.each(backends)('writes repeated with their write id: $name', (backend) => {
  const store = useStore(backend);

  it('appends events once per write id, and anew without one', async () => {
    const m = messageRecord({ receivedAt: T0 });
    await store().acceptMessage(m);
    const events = [viewed(m.id, T0 + 1), viewed(m.id, T0 + 2)];
    await store().appendEvents(events, 'write-1');
    await store().appendEvents(events, 'write-1');
    expect((await store().listEvents(m.id)).map((e) => e.kind)).toEqual(['received', 'viewed', 'viewed']);
    await store().appendEvents(events, 'write-2');
    await store().appendEvents([viewed(m.id, T0 + 3)]);
    expect(await store().listEvents(m.id)).toHaveLength(6);
  });

  it('answers a request id fresh to the write that remembered it, and a replay to any other', async () => {
    expect(await store().rememberRequestId('r1', T0, 60_000, 'write-1')).toBe(true);
    expect(await store().rememberRequestId('r1', T0, 60_000, 'write-1')).toBe(true);
    expect(await store().rememberRequestId('r1', T0 + 5, 60_000, 'write-2')).toBe(false);
    expect(await store().rememberRequestId('r1', T0 + 5, 60_000)).toBe(false);
  });

  it('finds its own earlier settlement: true again, the events once; another write is refused', async () => {
    const settlement = await leasedSettlement(store());
    expect(await store().settleDelivery(settlement, T0 + 10, 'settle-1')).toBe(true);
    expect(await store().settleDelivery(settlement, T0 + 10, 'settle-1')).toBe(true);
    expect(await store().settleDelivery(settlement, T0 + 10, 'settle-2')).toBe(false);
    expect((await store().listEvents(settlement.messageId)).map((e) => e.kind)).toEqual(['received', 'attempt', 'delivered']);
    expect((await store().listRecipients(settlement.messageId))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('takes a mailbox entry, a file and a file within quota once under the same id', async () => {
    await store().createUser(USER);
    const entry = { id: 'e1', userId: 'u1', folder: 'inbox', messageId: null, blobKey: 'k', subject: 's', fromHeader: 'f', size: 1, receivedAt: T0, unread: true };
    await store().addToMailbox(entry);
    await store().addToMailbox(entry);
    expect(await store().listMailbox('u1', 'inbox')).toHaveLength(1);
    const file = { id: 'f1', userId: 'u1', size: 6, sha256: 'ab', blobKey: 'b1', createdAt: T0 };
    await store().createFile(file);
    await store().createFile(file);
    // The quota has room for one such file only: the repeat is the same file, not a second one.
    const quota = { maxBytes: 12, maxSessions: 5 };
    const within = { ...file, id: 'f2', blobKey: 'b2' };
    expect(await store().createFileWithinQuota(within, quota, T0)).toBe('ok');
    expect(await store().createFileWithinQuota(within, quota, T0)).toBe('ok');
    expect((await store().uploadUsage('u1', T0)).bytes).toBe(12);
  });

  it('takes a fresh-id insert once, while another row clashing on a natural key is still refused', async () => {
    await store().createUser(USER);
    await store().createUser(USER);
    expect(await store().listUsers()).toHaveLength(1);
    await expect(store().createUser({ ...USER, id: 'u2' })).rejects.toThrow();
    const app = { appId: 'app', appKeyEnc: 'sealed-app', name: 'n', createdAt: T0 };
    const key = { accessKey: 'ak', secretKeyEnc: 'sealed', appId: 'app', userId: 'u1', expiresAt: null, createdAt: T0 };
    for (let i = 0; i < 2; i++) {
      await store().createApiApp(app);
      await store().createApiKey(key);
    }
    expect(await store().getApiKey('ak')).toMatchObject({ appId: 'app', userId: 'u1' });
    const hold = { id: 'h1', messageId: null, address: 'a@example.test', description: 'case', createdBy: 'admin', createdAt: T0, expiresAt: null, releasedAt: null, releasedBy: null };
    await store().addLitigationHold(hold);
    await store().addLitigationHold(hold);
    expect(await store().listLitigationHolds()).toHaveLength(1);
  });

  it('appends an audit entry once per write id', async () => {
    const entry = { at: T0, operator: 'admin', action: 'sender_add', target: 's1', detail: {} };
    await store().appendAudit(entry, 'write-1');
    await store().appendAudit(entry, 'write-1');
    await store().appendAudit(entry);
    expect((await store().listAudit({ offset: 0, limit: 10 })).total).toBe(2);
  });

  it('answers a digest claim and a link use as held to the write that made them, and as taken to any other', async () => {
    expect(await store().claimDigest('alice@local.test', 7, T0, 'write-1')).toBe(true);
    expect(await store().claimDigest('alice@local.test', 7, T0, 'write-1')).toBe(true);
    expect(await store().claimDigest('alice@local.test', 7, T0, 'write-2')).toBe(false);
    expect(await store().claimDigest('alice@local.test', 7, T0)).toBe(false);
    expect(await store().useDigestLink('tok-1', T0, T0 + 60_000, 'write-1')).toBe(true);
    expect(await store().useDigestLink('tok-1', T0, T0 + 60_000, 'write-1')).toBe(true);
    expect(await store().useDigestLink('tok-1', T0 + 1, T0 + 60_000, 'write-2')).toBe(false);
  });

  it('releases every lease at a single-process start, or one owner\'s at a restart', async () => {
    await store().acceptMessage(messageRecord({ receivedAt: T0, rcpt: ['a@remote.test', 'b@remote.test', 'c@remote.test'] }));
    await store().leaseDeliveries({ owner: 'gone', limit: 2, now: T0, leaseMs: 300_000 });
    await store().leaseDeliveries({ owner: 'other', limit: 1, now: T0, leaseMs: 300_000 });
    expect(await store().releaseLeases('gone')).toBe(2);
    expect((await store().leaseDeliveries({ owner: 'next', limit: 5, now: T0 + 1, leaseMs: 300_000 })).length).toBe(2);
    expect(await store().releaseAllLeases()).toBe(3);
    expect((await store().leaseDeliveries({ owner: 'next', limit: 5, now: T0 + 2, leaseMs: 300_000 })).length).toBe(3);
  });
});

describe('PostgreSQL: the reply to a commit that landed is lost', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  async function storeBehindProxy(): Promise<{ store: Store; proxy: TcpProxy }> {
    const { url, proxy } = await postgresBehindProxy(cleanups);
    const store = await openPostgresStore({ url, poolSize: 2, connectTimeoutMs: 5_000, retryMs: 20_000 });
    cleanups.push(() => store.close());
    return { store, proxy };
  }

  /** Runs `write` while the proxy loses the reply to the first request matching `request`; asserts it did. */
  async function withLostReply<T>(proxy: TcpProxy, request: RegExp, write: () => Promise<T>): Promise<T> {
    const lost = proxy.loseReplyTo(request);
    const result = await write();
    await lost;
    return result;
  }

  it('appends tracking events once', async () => {
    const { store, proxy } = await storeBehindProxy();
    const m = messageRecord({ receivedAt: T0 });
    await store.acceptMessage(m);
    await withLostReply(proxy, /insert into "events"/i, () => store.appendEvents([viewed(m.id, T0 + 1)]));
    expect((await store.listEvents(m.id)).map((e) => e.kind)).toEqual(['received', 'viewed']);
  });

  it('remembers a request id once and answers it fresh, then a replay', async () => {
    const { store, proxy } = await storeBehindProxy();
    expect(await withLostReply(proxy, /commit/i, () => store.rememberRequestId('mimecast:ak:r1', T0, 60_000))).toBe(true);
    expect(await store.rememberRequestId('mimecast:ak:r1', T0 + 1, 60_000)).toBe(false);
  });

  it('settles a delivery once and answers true, so a bounce notice is still sent', async () => {
    const { store, proxy } = await storeBehindProxy();
    const settlement = await leasedSettlement(store);
    expect(await withLostReply(proxy, /commit/i, () => store.settleDelivery(settlement, T0 + 10))).toBe(true);
    expect((await store.listEvents(settlement.messageId)).map((e) => e.kind)).toEqual(['received', 'attempt', 'delivered']);
    expect((await store.listRecipients(settlement.messageId))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('records an operator action in the audit log once', async () => {
    const { store, proxy } = await storeBehindProxy();
    await withLostReply(proxy, /commit/i, () => store.appendAudit({ at: T0, operator: 'admin', action: 'dnsbl_put', target: 'zen.test', detail: {} }));
    expect((await store.listAudit({ offset: 0, limit: 10 })).entries.map((e) => e.target)).toEqual(['zen.test']);
  });

  it('requeues a deferred delivery once: its event and audit entry appear once', async () => {
    const { store, proxy } = await storeBehindProxy();
    const m = messageRecord({ receivedAt: T0, recipient: { status: 'deferred', nextAttemptAt: T0 + 3_600_000 } });
    await store.acceptMessage(m);
    const request = {
      action: 'retry' as const,
      selection: { messageId: m.id },
      operator: 'admin',
      now: T0 + 10,
      outcome: (entry: { messageId: string; recipientId: string }) => ({ code: null, reply: null, events: [{ messageId: entry.messageId, recipientId: entry.recipientId, kind: 'retry_requested', at: T0 + 10, detail: {} } as NewEvent] }),
      audit: { action: 'queue_retry', target: m.id, detail: {} },
    };
    const acted = await withLostReply(proxy, /commit/i, () => store.actOnQueue(request));
    expect(acted.map((e) => e.messageId)).toEqual([m.id]);
    expect((await store.listEvents(m.id)).map((e) => e.kind)).toEqual(['received', 'retry_requested']);
    expect((await store.listAudit({ offset: 0, limit: 10 })).total).toBe(1);
  });

  it('uses a digest link once and answers it used by this write, then taken', async () => {
    const { store, proxy } = await storeBehindProxy();
    expect(await withLostReply(proxy, /commit/i, () => store.useDigestLink('tok-1', T0, T0 + 60_000))).toBe(true);
    expect(await store.useDigestLink('tok-1', T0 + 1, T0 + 60_000)).toBe(false);
    expect(await withLostReply(proxy, /commit/i, () => store.claimDigest('alice@local.test', 7, T0))).toBe(true);
    expect(await store.claimDigest('alice@local.test', 7, T0 + 1)).toBe(false);
  });

  it('creates a user once and answers success', async () => {
    const { store, proxy } = await storeBehindProxy();
    await withLostReply(proxy, /insert into "users"/i, () => store.createUser(USER));
    expect((await store.listUsers()).map((u) => u.email)).toEqual([USER.email]);
  });

  it('files a mailbox entry and an upload once', async () => {
    const { store, proxy } = await storeBehindProxy();
    await store.createUser(USER);
    const entry = { id: 'e1', userId: 'u1', folder: 'inbox', messageId: null, blobKey: 'k', subject: 's', fromHeader: 'f', size: 1, receivedAt: T0, unread: true };
    await withLostReply(proxy, /insert into "mailbox_entries"/i, () => store.addToMailbox(entry));
    expect(await store.listMailbox('u1', 'inbox')).toHaveLength(1);
    const file = { id: 'f1', userId: 'u1', size: 6, sha256: 'ab', blobKey: 'b1', createdAt: T0 };
    expect(await withLostReply(proxy, /commit/i, () => store.createFileWithinQuota(file, { maxBytes: 6, maxSessions: 1 }, T0))).toBe('ok');
    expect((await store.uploadUsage('u1', T0)).bytes).toBe(6);
  });
});
