/** Inbound storage (policies, sender lists, DNSBL zones, holds, audit) on every backend, real databases. */
import { describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import type { NewMessage } from '../src/core/ports.js';
import type { Policy } from '../src/core/policy.js';
import { backends } from './helpers/backends.js';
import { messageRecord, useStore } from './helpers/records.js';

const T0 = 1_800_000_000_000;

function heldMessage(subject: string, opts: { at?: number; policyInfo?: string; to?: string; route?: 'inbound' | 'outbound' } = {}): NewMessage {
  const id = newId(opts.at ?? T0);
  const at = opts.at ?? T0;
  const held = opts.to ?? 'alice@example.test';
  return {
    ...messageRecord({
      id,
      internetMessageId: `<${id}@x>`,
      source: 'smtp',
      route: opts.route ?? 'inbound',
      mailFrom: 'news@pass.test',
      fromHeader: 'News <news@pass.test>',
      subject,
      size: 1234,
      receivedAt: at,
      expiresAt: at + 1000,
      recipients: [
        { id: newId(at), address: held, domain: 'example.test', kind: 'to', transport: 'local', status: 'held', nextAttemptAt: at },
        { id: newId(at), address: 'bob@example.test', domain: 'example.test', kind: 'to', transport: 'local', status: 'queued', nextAttemptAt: at },
      ],
    }),
    hold: {
      decision: {
        policyId: 'p1',
        policyInfo: opts.policyInfo ?? 'Spam Scanning',
        reason: 'Message Hold Applied - Spam Signature policy',
        reasonId: 'MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY',
        reasonCode: 'message_hold_applied_spam_signature_policy',
        heldGroup: 'admin',
      },
      hasAttachments: true,
      toAddress: held,
      heldAt: at,
      expiresAt: at + 60_000,
    },
  };
}

describe.each(backends)('inbound store: $name', (backend) => {
  const store = useStore(backend);

  it('starts with the default spam policy, and stores, replaces and deletes policies', async () => {
    expect((await store().listPolicies()).map((p) => p.id)).toEqual(['default-inbound-spam']);
    const policy: Policy = { id: 'att', name: 'Executables', kind: 'attachment', enabled: true, routes: ['inbound', 'outbound'], heldGroup: 'moderator', position: 5, params: { extensions: ['exe'] } };
    await store().putPolicy(policy, T0);
    await store().putPolicy({ ...policy, name: 'Executables and scripts', params: { extensions: ['exe', 'js'] } }, T0 + 1);
    const listed = await store().listPolicies();
    expect(listed.map((p) => p.id)).toEqual(['att', 'default-inbound-spam']);
    expect(listed[0]).toEqual({ ...policy, name: 'Executables and scripts', params: { extensions: ['exe', 'js'] } });
    expect(await store().deletePolicy('att')).toBe(true);
    expect(await store().deletePolicy('att')).toBe(false);
  });

  it('keeps sender lists unique per list and DNSBL zones by name', async () => {
    await store().addSenderEntry({ id: 's1', list: 'blocked', pattern: '@spam.test', note: null, createdAt: T0 });
    await expect(store().addSenderEntry({ id: 's2', list: 'blocked', pattern: '@spam.test', note: null, createdAt: T0 })).rejects.toMatchObject({ code: 'conflict' });
    await store().addSenderEntry({ id: 's3', list: 'permitted', pattern: '@spam.test', note: 'odd but allowed', createdAt: T0 });
    expect((await store().listSenderEntries('blocked')).map((e) => e.id)).toEqual(['s1']);
    expect(await store().listSenderEntries()).toHaveLength(2);
    expect(await store().removeSenderEntry('s1')).toBe(true);
    await store().putDnsblZone({ zone: 'BL.Test', kind: 'ip', weight: 2.5, createdAt: T0 });
    await store().putDnsblZone({ zone: 'bl.test', kind: 'ip', weight: 6, createdAt: T0 });
    expect(await store().listDnsblZones()).toEqual([{ zone: 'bl.test', kind: 'ip', weight: 6, createdAt: T0 }]);
    expect(await store().removeDnsblZone('bl.test')).toBe(true);
  });

  it('stores a hold with its message, lists it with search, filters and pagination, and summarises', async () => {
    const a = heldMessage('Cheap watches', { at: T0 });
    const b = heldMessage('Invoice 100%_done', { at: T0 + 10, policyInfo: 'Attachments' });
    const c = heldMessage('Outbound report', { at: T0 + 20, route: 'outbound', to: 'carol@example.test' });
    for (const m of [a, b, c]) await store().acceptMessage(m);
    expect((await store().getMessage(a.id))?.status).toBe('held');
    const all = await store().listHolds({ status: 'held', offset: 0, limit: 2 });
    expect(all.total).toBe(3);
    expect(all.holds.map((h) => h.messageId)).toEqual([c.id, b.id]);
    expect((await store().listHolds({ status: 'held', offset: 2, limit: 2 })).holds.map((h) => h.messageId)).toEqual([a.id]);
    // LIKE wildcards in the search value are literal.
    expect((await store().listHolds({ search: { field: 'subject', value: '100%_' }, offset: 0, limit: 9 })).holds.map((h) => h.messageId)).toEqual([b.id]);
    expect((await store().listHolds({ search: { field: 'all', value: '%' }, offset: 0, limit: 9 })).total).toBe(1);
    expect((await store().listHolds({ routes: ['outbound'], offset: 0, limit: 9 })).holds.map((h) => h.messageId)).toEqual([c.id]);
    expect((await store().listHolds({ recipient: 'CAROL@example.test', offset: 0, limit: 9 })).total).toBe(1);
    expect((await store().listHolds({ start: T0 + 5, end: T0 + 15, offset: 0, limit: 9 })).holds.map((h) => h.messageId)).toEqual([b.id]);
    expect((await store().listHolds({ heldGroup: 'user', offset: 0, limit: 9 })).total).toBe(0);
    expect(await store().getHold(a.id)).toMatchObject({ subject: 'Cheap watches', hasAttachments: true, reasonCode: 'message_hold_applied_spam_signature_policy', size: 1234, route: 'inbound' });
    expect(await store().holdSummary()).toEqual([
      { policyInfo: 'Attachments', count: 1 },
      { policyInfo: 'Spam Scanning', count: 2 },
    ]);
  });

  it('releases once: held recipients are queued and due, with events and an audit entry; a second action finds it no longer held', async () => {
    const m = heldMessage('release');
    await store().acceptMessage(m);
    expect(await store().actOnHold(m.id, { action: 'release', operator: 'rev@example.test' }, T0 + 100, T0 + 5000)).toBe('done');
    expect(await store().actOnHold(m.id, { action: 'reject', operator: 'rev@example.test' }, T0 + 101, T0 + 5000)).toBe('not_held');
    expect(await store().actOnHold('missing', { action: 'release', operator: 'x' }, T0, T0)).toBe('not_found');
    const recipients = await store().listRecipients(m.id);
    expect(recipients.map((r) => r.status).sort()).toEqual(['queued', 'queued']);
    const message = await store().getMessage(m.id);
    expect(message).toMatchObject({ status: 'queued', expiresAt: T0 + 5000 });
    expect((await store().listEvents(m.id)).filter((e) => e.kind === 'released')).toHaveLength(1);
    const leased = await store().leaseDeliveries({ owner: 'w', limit: 10, now: T0 + 100, leaseMs: 1000 });
    expect(leased.map((j) => j.address).sort()).toEqual(['alice@example.test', 'bob@example.test']);
    const audit = await store().listAudit({ actions: ['hold_release'], offset: 0, limit: 10 });
    expect(audit.entries).toEqual([expect.objectContaining({ operator: 'rev@example.test', target: m.id, at: T0 + 100 })]);
  });

  it('rejects and expires: held recipients become rejected with the reason; expired holds are listed', async () => {
    const rejected = heldMessage('reject', { at: T0 });
    const stale = heldMessage('stale', { at: T0 + 1 });
    await store().acceptMessage(rejected);
    await store().acceptMessage(stale);
    expect(await store().listExpiredHolds(T0 + 60_000, 10)).toEqual([rejected.id]);
    expect(await store().listExpiredHolds(T0 + 70_000, 10)).toEqual([rejected.id, stale.id]);
    await store().actOnHold(rejected.id, { action: 'reject', operator: 'rev', message: 'no thanks', reasonType: 'INAPPROPRIATE COMMUNICATION', notify: true }, T0 + 5, T0);
    const r = await store().listRecipients(rejected.id);
    expect(r.find((x) => x.address === 'alice@example.test')).toMatchObject({ status: 'rejected', lastCode: 550, lastReply: 'no thanks' });
    await store().actOnHold(stale.id, { action: 'expire', operator: 'system' }, T0 + 70_000, T0);
    expect((await store().getHold(stale.id))?.status).toBe('expired');
    expect(await store().listExpiredHolds(T0 + 70_000, 10)).toEqual([]);
    const audit = await store().listAudit({ offset: 0, limit: 10 });
    expect(audit.entries.map((e) => e.action)).toEqual(['hold_expire', 'hold_reject']);
    expect(audit.entries[1]?.detail).toEqual({ operator: 'rev', message: 'no thanks', reasonType: 'INAPPROPRIATE COMMUNICATION', notify: true });
  });
});
