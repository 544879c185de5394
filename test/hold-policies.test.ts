/**
 * Hold policies end to end: policies set through the admin API, mail arriving over real SMTP (and
 * over the Mimecast API for outbound), each policy kind holding what it should and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeldEnv, type HeldEnv, type Item } from './helpers/held-env.js';
import { mcPost } from './helpers/mimecast-client.js';

let env: HeldEnv['env'];
let sender: HeldEnv['sender'];
let adminCall: HeldEnv['adminCall'];
let withPolicy: HeldEnv['withPolicy'];
let sendInbound: HeldEnv['sendInbound'];
let statuses: HeldEnv['statuses'];
let heldEvent: HeldEnv['heldEvent'];

beforeAll(async () => {
  ({ env, sender, adminCall, withPolicy, sendInbound, statuses, heldEvent } = await startHeldEnv());
});

afterAll(async () => {
  await env?.stop();
});

describe('hold policies', () => {
  it('a fresh install holds inbound spam at the moderate threshold (default policy)', async () => {
    const { body } = await adminCall('GET', '/admin/api/policies');
    expect(body.policies).toEqual([expect.objectContaining({ id: 'default-inbound-spam', kind: 'spam', routes: ['inbound'], params: { level: 'moderate' } })]);
  });

  it('attachment policy holds the .exe and not the .pdf', async () => {
    await withPolicy({ name: 'No executables', kind: 'attachment', params: { extensions: ['exe'] } }, async (policyId) => {
      const exe = await sendInbound({ subject: 'tool', attachments: [{ filename: 'setup.exe', content: 'MZ...' }] });
      const pdf = await sendInbound({ subject: 'report', attachments: [{ filename: 'report.pdf', content: '%PDF-1.4' }] });
      expect(await statuses(exe)).toEqual({ 'alice@example.test': 'held' });
      expect(await heldEvent(exe)).toMatchObject({ policyId, reasonId: 'MESSAGE_HOLD_APPLIED_ATTACHMENT_TYPE_POLICY', policyInfo: 'No executables', heldGroup: 'admin' });
      expect(Object.values(await statuses(pdf))).not.toContain('held');
      const hold = await env.gw.server.gateway.store.getHold(exe);
      expect(hold?.hasAttachments).toBe(true);
    });
  });

  it('attachment size policy holds only the large attachment', async () => {
    await withPolicy({ name: 'Big files', kind: 'attachment', params: { maxSize: 2000 } }, async () => {
      const big = await sendInbound({ attachments: [{ filename: 'big.bin', content: 'x'.repeat(5000) }] });
      const small = await sendInbound({ attachments: [{ filename: 'small.bin', content: 'x'.repeat(100) }] });
      expect(await statuses(big)).toEqual({ 'alice@example.test': 'held' });
      expect(Object.values(await statuses(small))).not.toContain('held');
    });
  });

  it('content policy matches the subject or body pattern only', async () => {
    await withPolicy({ name: 'Project Falcon', kind: 'content', params: { pattern: 'project\\s+falcon', target: 'any' } }, async () => {
      const bySubject = await sendInbound({ subject: 'Project  Falcon update' });
      const byBody = await sendInbound({ text: 'details of project falcon attached' });
      const other = await sendInbound({ subject: 'Project Eagle' });
      expect(await statuses(bySubject)).toEqual({ 'alice@example.test': 'held' });
      expect(await statuses(byBody)).toEqual({ 'alice@example.test': 'held' });
      expect(Object.values(await statuses(other))).not.toContain('held');
      expect(await heldEvent(byBody)).toMatchObject({ reasonCode: 'message_hold_applied_content_examination_policy' });
    });
  });

  it('sender policy holds the listed sender only; recipient policy holds only that recipient', async () => {
    await withPolicy({ name: 'Watch list', kind: 'sender', params: { addresses: ['watch@none.test'] } }, async () => {
      const watched = await sendInbound({ from: 'watch@none.test' });
      const other = await sendInbound({ from: 'other@none.test' });
      expect(await statuses(watched)).toEqual({ 'alice@example.test': 'held' });
      expect(Object.values(await statuses(other))).not.toContain('held');
    });
    await withPolicy({ name: 'Carol reviewed', kind: 'recipient', params: { addresses: ['carol@example.test'] }, heldGroup: 'moderator' }, async () => {
      const both = await sendInbound({ to: ['alice@example.test', 'carol@example.test'] });
      const st = await statuses(both);
      expect(st['carol@example.test']).toBe('held');
      expect(st['alice@example.test']).not.toBe('held');
      expect(await heldEvent(both)).toMatchObject({ heldGroup: 'moderator', reasonId: 'MESSAGE_HOLD_APPLIED_RECIPIENT_POLICY' });
    });
  });

  it('DMARC and DNSBL policies hold with their own reasons, ahead of the spam policy', async () => {
    await withPolicy({ name: 'DMARC failures', kind: 'dmarc', position: 10 }, async () => {
      const failing = await sendInbound({ from: 'boss@fail.test' });
      const passing = await sendInbound({ from: 'news@pass.test' });
      expect(await heldEvent(failing)).toMatchObject({ reasonId: 'MESSAGE_HOLD_APPLIED_DMARC_POLICY' });
      expect(Object.values(await statuses(passing))).not.toContain('held');
    });
    await env.gw.server.gateway.store.putDnsblZone({ zone: 'bl.test', kind: 'ip', weight: 1, createdAt: Date.now() });
    await withPolicy({ name: 'Blocklisted hosts', kind: 'dnsbl', position: 10 }, async () => {
      const listed = await sendInbound({ localAddress: '127.0.0.2' });
      const clean = await sendInbound();
      expect(await heldEvent(listed)).toMatchObject({ reasonId: 'MESSAGE_HOLD_APPLIED_RBL_POLICY' });
      expect(Object.values(await statuses(clean))).not.toContain('held');
    });
    expect((await adminCall('DELETE', '/admin/api/dnsbl-zones/bl.test')).status).toBe(204);
  });

  it('outbound mail from the Mimecast API passes the same policy engine', async () => {
    await withPolicy({ name: 'Outbound confidential', kind: 'content', routes: ['outbound'], params: { pattern: 'confidential', target: 'subject' } }, async () => {
      const send = (subject: string) =>
        mcPost(env.gw.url, sender, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'partner@remote.test' }], subject, plainBody: { content: 'x' } }] }));
      const held = await send('Confidential figures');
      const free = await send('Lunch?');
      expect(held.body.fail).toEqual([]);
      const { store } = env.gw.server.gateway;
      const holds = await store.listHolds({ status: 'held', search: { field: 'subject', value: 'Confidential figures' }, offset: 0, limit: 5 });
      expect(holds.holds).toHaveLength(1);
      expect(holds.holds[0]?.route).toBe('outbound');
      expect(free.status).toBe(200);
      const none = await store.listHolds({ status: 'held', search: { field: 'subject', value: 'Lunch?' }, offset: 0, limit: 5 });
      expect(none.total).toBe(0);
    });
  });

  it('a blocked sender is refused at MAIL FROM; a permitted sender skips the spam hold', async () => {
    expect((await adminCall('POST', '/admin/api/sender-lists/blocked', { pattern: '@spammer.test' })).status).toBe(201);
    await expect(sendInbound({ from: 'x@spammer.test' })).rejects.toMatchObject({ responseCode: 550 });
    expect((await adminCall('POST', '/admin/api/sender-lists/permitted', { pattern: 'friend@fail.test' })).status).toBe(201);
    const friend = await sendInbound({ from: 'friend@fail.test' });
    expect(Object.values(await statuses(friend))).not.toContain('held');
    const message = await env.gw.server.gateway.store.getMessage(friend);
    expect((message?.meta.spamInfo as { spamProcessingDetail: { permittedSender: unknown } }).spamProcessingDetail.permittedSender).toMatchObject({ allow: true });
    const audit = await adminCall('GET', '/admin/api/audit?action=sender_add');
    expect((audit.body.entries as Item[]).map((e) => e.operator)).toContain('root@example.test');
  });

  it('refuses an invalid policy with a clear admin error', async () => {
    const res = await adminCall('POST', '/admin/api/policies', { name: 'bad', kind: 'content', params: { pattern: '(' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_value', message: 'pattern is not a valid regular expression', field: 'params.pattern' } });
  });
});

