/** Tracking and retention queries on every backend: search filters and paging, retention dates, purge selection, litigation holds. */
import { describe, expect, it } from 'vitest';
import type { NewMessage } from '../src/core/ports.js';
import { backends } from './helpers/backends.js';
import { messageRecord, useStore, type MessageShape } from './helpers/records.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

function message(overrides: MessageShape = {}): NewMessage {
  const receivedAt = overrides.receivedAt ?? T0;
  return messageRecord({
    fromHeader: '"Sender Person" <sender@example.test>',
    subject: 'Quarterly 100% report_final',
    size: 1234,
    expiresAt: receivedAt + 5 * DAY,
    purgeAt: receivedAt + 30 * DAY,
    ...overrides,
    receivedAt,
  });
}

describe.each(backends)('tracking store ($name)', (backend) => {
  const store = useStore(backend);

  const window = { start: T0 - DAY, end: T0 + 10 * DAY, limit: 50 };

  it('filters by Message-ID, sender, recipient, subject substring (wildcards literal), sender IP and route', async () => {
    const a = message({ receivedAt: T0 + 1000, rcpt: ['One@Remote.test', 'two@remote.test'] });
    const b = message({ receivedAt: T0 + 2000, mailFrom: 'other@else.test', fromHeader: 'Other <other@else.test>', subject: 'Quarterly 100 report', senderIp: '192.0.2.7', route: 'inbound' });
    const c = message({ receivedAt: T0 + 3000, subject: 'unrelated', route: 'internal', rcpt: ['local@example.test'] });
    for (const m of [a, b, c]) await store().acceptMessage(m);

    const ids = async (extra: object) => (await store().searchMessages({ ...window, ...extra })).messages.map((m) => m.id);
    expect(await ids({})).toEqual([c.id, b.id, a.id]);
    expect(await ids({ internetMessageId: b.internetMessageId })).toEqual([b.id]);
    expect(await ids({ from: 'SENDER@example.test' })).toEqual([c.id, a.id]);
    expect(await ids({ from: 'Other' })).toEqual([b.id]);
    expect(await ids({ to: 'one@remote.TEST' })).toEqual([a.id]);
    expect(await ids({ subject: '100%' })).toEqual([a.id]);
    expect(await ids({ subject: 'report_' })).toEqual([a.id]);
    expect(await ids({ subject: 'quarterly' })).toEqual([b.id, a.id]);
    expect(await ids({ senderIp: '192.0.2.7' })).toEqual([b.id]);
    expect(await ids({ route: 'internal' })).toEqual([c.id]);
    expect(await ids({ start: T0 + 1500, end: T0 + 2500 })).toEqual([b.id]);
  });

  it('pages newest first with a keyset cursor, counting the whole result', async () => {
    const all = Array.from({ length: 5 }, (_, i) => message({ receivedAt: T0 + (i < 2 ? 0 : i) * 1000 }));
    for (const m of all) await store().acceptMessage(m);
    const first = await store().searchMessages({ ...window, limit: 2 });
    expect(first.total).toBe(5);
    const last = first.messages.at(-1)!;
    const second = await store().searchMessages({ ...window, limit: 2, after: { receivedAt: last.receivedAt, id: last.id } });
    const third = await store().searchMessages({ ...window, limit: 2, after: { receivedAt: second.messages.at(-1)!.receivedAt, id: second.messages.at(-1)!.id } });
    const seen = [...first.messages, ...second.messages, ...third.messages].map((m) => m.id);
    const expected = [...all].sort((x, y) => y.receivedAt - x.receivedAt || (y.id < x.id ? -1 : 1)).map((m) => m.id);
    expect(seen).toEqual(expected);
    expect(third.messages).toHaveLength(1);
  });

  it('sets purge dates at receipt, dates undated messages, and moves dates when the period changes', async () => {
    const dated = message();
    const undated = message({ purgeAt: undefined, receivedAt: T0 + 5000 });
    delete undated.purgeAt;
    await store().acceptMessage(dated);
    await store().acceptMessage(undated);
    expect((await store().getMessage(dated.id))?.purgeAt).toBe(T0 + 30 * DAY);
    expect((await store().getMessage(undated.id))?.purgeAt).toBeNull();

    expect(await store().applyRetention(30 * DAY)).toEqual({ dated: 1, adjusted: 0 });
    expect(await store().getMessage(undated.id)).toMatchObject({ purgeAt: T0 + 5000 + 30 * DAY, originalPurgeAt: T0 + 5000 + 30 * DAY });

    expect(await store().applyRetention(45 * DAY)).toEqual({ dated: 0, adjusted: 2 });
    expect(await store().getMessage(dated.id)).toMatchObject({ purgeAt: T0 + 45 * DAY, originalPurgeAt: T0 + 30 * DAY });
    expect(await store().applyRetention(45 * DAY)).toEqual({ dated: 0, adjusted: 0 });
  });

  it('purges only settled messages past their date without an active litigation hold', async () => {
    const settle = async (m: NewMessage) => {
      const [job] = await store().leaseDeliveries({ owner: 'w', limit: 1, now: T0 + DAY, leaseMs: 60_000 });
      expect(job?.messageId).toBe(m.id);
      await store().settleDelivery({ recipientId: job!.recipientId, messageId: m.id, leaseOwner: 'w', status: 'delivered', code: 250, reply: 'ok', events: [] }, T0 + DAY);
    };
    const due = message({ purgeAt: T0 + 2 * DAY });
    const notYet = message({ purgeAt: T0 + 40 * DAY });
    const waiting = message({ purgeAt: T0 + 2 * DAY, rcpt: ['waits@remote.test'] });
    const heldById = message({ purgeAt: T0 + 2 * DAY });
    const heldByAddress = message({ purgeAt: T0 + 2 * DAY, rcpt: ['Custodian@Remote.test'] });
    const holdExpired = message({ purgeAt: T0 + 2 * DAY, rcpt: ['old@remote.test'] });
    for (const m of [due, notYet, heldById, heldByAddress, holdExpired]) {
      await store().acceptMessage(m);
      await settle(m);
    }
    await store().acceptMessage(waiting);
    const hold = (id: string, over: object) => ({
      id,
      messageId: null,
      address: null,
      description: 'case 42',
      createdBy: 'admin@example.test',
      createdAt: T0,
      expiresAt: null,
      releasedAt: null,
      releasedBy: null,
      ...over,
    });
    await store().addLitigationHold(hold('h1', { messageId: heldById.id }));
    await store().addLitigationHold(hold('h2', { address: 'custodian@remote.test' }));
    await store().addLitigationHold(hold('h3', { address: 'old@remote.test', expiresAt: T0 + DAY }));

    const now = T0 + 3 * DAY;
    expect((await store().listPurgeable(now, 10)).map((m) => m.id).sort()).toEqual([due.id, holdExpired.id].sort());
    expect((await store().litigationHoldsFor(heldByAddress.id, now)).map((h) => h.id)).toEqual(['h2']);
    expect((await store().listLitigationHolds(now)).map((h) => h.id).sort()).toEqual(['h1', 'h2']);
    expect(await store().listLitigationHolds()).toHaveLength(3);

    expect(await store().releaseLitigationHold('h2', 'admin@example.test', now)).toBe(true);
    expect(await store().releaseLitigationHold('h2', 'admin@example.test', now)).toBe(false);
    expect((await store().listPurgeable(now, 10)).map((m) => m.id)).toContain(heldByAddress.id);

    const event = { messageId: due.id, kind: 'purged' as const, at: now, detail: { by: 'retention' } };
    expect(await store().markPurged(due.id, now, event)).toBe(true);
    expect(await store().markPurged(due.id, now, event)).toBe(false);
    expect((await store().getMessage(due.id))?.purgedAt).toBe(now);
    expect((await store().listEvents(due.id)).filter((e) => e.kind === 'purged')).toHaveLength(1);
    expect((await store().listPurgeable(now, 10)).map((m) => m.id)).not.toContain(due.id);
  });

  it('keeps a content summary as JSON', async () => {
    const m = message();
    await store().acceptMessage(m);
    expect(await store().getMessageSummary(m.id)).toBeUndefined();
    await store().saveMessageSummary(m.id, { subject: 'x', components: [{ index: 0, size: 3 }] });
    expect(await store().getMessageSummary(m.id)).toEqual({ subject: 'x', components: [{ index: 0, size: 3 }] });
    expect(await store().listRecipientsOf([m.id])).toHaveLength(1);
    expect(await store().listRecipientsOf([])).toEqual([]);
  });
});
