/**
 * Hold policies and held-message review end to end: policies set through the admin API, mail
 * arriving over real SMTP (and over the Mimecast API for outbound), review through the Mimecast
 * held functions (contracts.md §1.4, seed 004), delivery to real SMTP sinks and local mailboxes.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { addUser } from '../src/auth/identity.js';
import { createHeldReview } from '../src/core/held-review.js';
import { startInboundEnv, type InboundEnv } from './helpers/inbound-env.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
let env: InboundEnv;
let admin: MimecastKeys;
let reviewer: MimecastKeys;
let plain: MimecastKeys;
let sender: MimecastKeys;

type Item = Record<string, unknown>;

async function adminCall(method: string, uri: string, body?: unknown): Promise<{ status: number; body: Item }> {
  const res = await fetch(env.gw.url + uri, {
    method,
    headers: { ...mcHeaders(admin, uri.split('?')[0] as string), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Item) };
}

async function withPolicy<T>(policy: Item, body: (id: string) => Promise<T>): Promise<T> {
  const created = await adminCall('POST', '/admin/api/policies', policy);
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  try {
    return await body(id);
  } finally {
    expect((await adminCall('DELETE', `/admin/api/policies/${id}`)).status).toBe(204);
  }
}

interface Mail {
  from?: string;
  to?: string[];
  subject?: string;
  text?: string;
  attachments?: Array<{ filename: string; content: string }>;
  localAddress?: string;
}

/** Sends over SMTP from outside; returns the queue id from the 250 reply. */
async function sendInbound(mail: Mail = {}): Promise<string> {
  const from = mail.from ?? 'news@pass.test';
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: env.gw.server.smtpPort,
    name: 'client.pass.test',
    tls: { rejectUnauthorized: false },
    ...(mail.localAddress ? { localAddress: mail.localAddress } : {}),
  });
  const info = await transport.sendMail({
    from,
    to: mail.to ?? ['alice@example.test'],
    subject: mail.subject ?? 'an ordinary note',
    text: mail.text ?? 'Nothing unusual here.',
    attachments: mail.attachments ?? [],
  });
  return /queued as (\S+)/.exec(info.response)?.[1] as string;
}

async function statuses(id: string): Promise<Record<string, string>> {
  const recipients = await env.gw.server.gateway.store.listRecipients(id);
  return Object.fromEntries(recipients.map((r) => [r.address, r.status]));
}

async function heldEvent(id: string): Promise<Item | undefined> {
  const events = await env.gw.server.gateway.store.listEvents(id);
  return events.find((e) => e.kind === 'held')?.detail;
}

const mc = (keys: MimecastKeys, uri: string, data: unknown[], meta?: unknown) =>
  mcPost(env.gw.url, keys, uri, JSON.stringify({ ...(meta ? { meta } : {}), data }));

beforeAll(async () => {
  env = await startInboundEnv();
  const { store } = env.gw.server.gateway;
  admin = await env.gw.user('root@example.test', ['admin']);
  reviewer = await env.gw.user('reviewer@example.test', ['held-reviewer']);
  plain = await env.gw.user('plain@example.test', ['user']);
  sender = await env.gw.user('sender@example.test', ['user']);
  await addUser(store, { email: 'alice@example.test' });
  await addUser(store, { email: 'carol@example.test' });
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

const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

describe('held-message review (Mimecast)', () => {
  it('lists held messages with search, filters and pagination, and summarises them per policy', async () => {
    const a = await sendInbound({ subject: 'gtube one', text: GTUBE });
    const b = await sendInbound({ subject: 'gtube two', text: GTUBE });
    const page1 = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ admin: true, searchBy: { fieldName: 'subject', value: 'gtube' }, filterBy: [{ fieldName: 'route', value: 'inbound' }] }], {
      pagination: { pageSize: 1 },
    });
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(1);
    const meta = page1.body.meta as unknown as { pagination: { totalCount: number; next: string } };
    expect(meta.pagination.totalCount).toBe(2);
    const page2 = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ admin: true, searchBy: { fieldName: 'subject', value: 'gtube' } }], {
      pagination: { pageSize: 1, pageToken: meta.pagination.next },
    });
    const ids = [page1.body.data[0]?.id, page2.body.data[0]?.id];
    expect(ids.sort()).toEqual([a, b].sort());
    expect(page1.body.data[0]).toMatchObject({
      reasonId: 'MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY',
      reasonCode: 'message_hold_applied_spam_signature_policy',
      reason: 'Message Hold Applied - Spam Signature policy',
      policyInfo: 'Default Inbound Spam Scanning',
      route: 'INBOUND',
      from: { emailAddress: 'news@pass.test' },
      to: { emailAddress: 'alice@example.test' },
      hasAttachments: false,
      dateReceived: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
    });
    const wrongGroup = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ admin: true, searchBy: { fieldName: 'subject', value: 'gtube' }, filterBy: [{ fieldName: 'heldGroup', value: 'user' }] }]);
    expect(wrongGroup.body.data).toEqual([]);
    const own = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ searchBy: { fieldName: 'subject', value: 'gtube' } }]);
    expect(own.body.data).toEqual([]);
    const summary = await mc(reviewer, '/api/gateway/get-hold-summary-list', []);
    expect(summary.body.data).toContainEqual({ policyInfo: 'Default Inbound Spam Scanning', numberOfItems: expect.any(Number) });
    const bad = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ searchBy: { fieldName: 'colour', value: 'x' } }]);
    expect(bad.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_invalid_value', field: 'searchBy.fieldName' });
  });

  it('release delivers to the local mailbox; the release log names the operator', async () => {
    const id = await sendInbound({ subject: 'release me', text: GTUBE });
    expect(await statuses(id)).toEqual({ 'alice@example.test': 'held' });
    const delivered = env.gw.nextSettlement((s) => s.messageId === id && s.status === 'delivered');
    const res = await mc(reviewer, '/api/gateway/hold-release', [{ id }]);
    expect(res.body).toEqual({ meta: { status: 200 }, data: [{ id, release: true }], fail: [] });
    await delivered;
    const events = await env.gw.server.gateway.store.listEvents(id);
    expect(events.find((e) => e.kind === 'released')?.detail).toMatchObject({ operator: 'reviewer@example.test' });
    const logs = await mc(reviewer, '/api/gateway/get-held-release-logs', [{ searchBy: { fieldName: 'subject', value: 'release me' } }]);
    expect(logs.body.data).toEqual([expect.objectContaining({ id, action: 'release', operator: { emailAddress: 'reviewer@example.test' } })]);
  });

  it('release of held outbound mail delivers it to the relay', async () => {
    await withPolicy({ name: 'Outbound review', kind: 'sender', routes: ['outbound'], params: { addresses: ['sender@example.test'] } }, async () => {
      await mcPost(env.gw.url, sender, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'out@remote.test' }], subject: 'needs review', plainBody: { content: 'x' } }] }));
    });
    const { holds } = await env.gw.server.gateway.store.listHolds({ status: 'held', search: { field: 'subject', value: 'needs review' }, offset: 0, limit: 1 });
    const id = holds[0]?.messageId as string;
    const before = env.sink.messages.length;
    await mc(reviewer, '/api/gateway/hold-release', [{ id }]);
    const arrived = (await env.sink.waitForMessages(before + 1)).slice(before);
    expect(arrived.map((m) => m.rcptTo)).toContainEqual(['out@remote.test']);
  });

  it('reject without notify rejects and sends nothing; with notify the sender gets the reason and message', async () => {
    const quiet = await sendInbound({ from: 'quiet@pass.test', subject: 'reject quietly', text: GTUBE });
    const loud = await sendInbound({ from: 'loud@pass.test', subject: 'reject loudly', text: GTUBE });
    const before = env.sink.messages.length;
    const res = await mc(reviewer, '/api/gateway/hold-reject', [
      { ids: [quiet], message: 'Not today', reasonType: 'MESSAGE CONTAINS UNDESIRABLE CONTENT' },
      { ids: [loud], message: 'Please do not send test spam', reasonType: 'message goes against email policies', notify: true },
    ]);
    expect(res.body.data).toEqual([
      { id: quiet, reject: true },
      { id: loud, reject: true },
    ]);
    expect(await statuses(quiet)).toEqual({ 'alice@example.test': 'rejected' });
    const [notice] = (await env.sink.waitForMessages(before + 1)).slice(before);
    expect(notice?.rcptTo).toEqual(['loud@pass.test']);
    const text = notice?.raw.toString() ?? '';
    expect(text).toMatch(/Subject: \[Message rejected\] reject loudly/);
    expect(text).toContain('Reason: MESSAGE GOES AGAINST EMAIL POLICIES');
    expect(text).toContain('Please do not send test spam');
    expect(env.sink.messages.slice(before).some((m) => m.rcptTo.includes('quiet@pass.test'))).toBe(false);
  });

  it('acts on each id independently: unknown, already released and good ids in one call', async () => {
    const good = await sendInbound({ subject: 'mixed good', text: GTUBE });
    const released = await sendInbound({ subject: 'mixed released', text: GTUBE });
    await mc(reviewer, '/api/gateway/hold-release', [{ id: released }]);
    const res = await mc(reviewer, '/api/gateway/hold-reject', [{ ids: ['no-such-id', released, good], reasonType: 'INAPPROPRIATE COMMUNICATION' }]);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([{ id: good, reject: true }]);
    expect(res.body.fail).toEqual([
      { key: expect.objectContaining({ ids: ['no-such-id'] }), errors: [expect.objectContaining({ code: 'err_xdk_not_found', field: 'id' })] },
      { key: expect.objectContaining({ ids: [released] }), errors: [expect.objectContaining({ code: 'err_xdk_conflict', field: 'id' })] },
    ]);
    const again = await mc(reviewer, '/api/gateway/hold-release', [{ id: good }, { id: 'nope' }]);
    expect(again.body.fail.map((f) => f.errors[0]?.code)).toEqual(['err_xdk_conflict', 'err_xdk_not_found']);
    const badType = await mc(reviewer, '/api/gateway/hold-reject', [{ ids: [good], reasonType: 'BECAUSE' }]);
    expect(badType.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_invalid_value', field: 'reasonType' });
  });

  it('refuses callers without the Held permissions (403 in the Mimecast envelope)', async () => {
    for (const uri of ['/api/gateway/hold-release', '/api/gateway/hold-reject', '/api/gateway/get-hold-message-list', '/api/gateway/get-held-release-logs', '/api/gateway/get-hold-summary-list']) {
      const res = await mc(plain, uri, [{ id: 'x', ids: ['x'] }]);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ meta: { status: 403 }, data: [], fail: [{ errors: [{ code: 'err_xdk_forbidden' }] }] });
    }
  });

  it('the seed 004 Python sample, run verbatim, rejects a held message', async () => {
    const id = await sendInbound({ subject: 'python rejects me', text: GTUBE });
    const { stdout } = await run('python3', [path.join(root, 'test/fixtures/mimecast/hold_reject_sample.py')], {
      env: {
        ...process.env,
        MC_BASE_URL: env.gw.url,
        MC_ACCESS_KEY: reviewer.accessKey,
        MC_SECRET_KEY: reviewer.secretKey,
        MC_APP_ID: reviewer.appId,
        MC_APP_KEY: reviewer.appKey,
        MC_HELD_ID: id,
        MC_REJECT_MESSAGE: 'Rejected by the Python sample',
        MC_REASON_TYPE: 'REVIEWER DISAPPROVES OF CONTENT',
      },
    });
    expect(JSON.parse(stdout)).toEqual({ meta: { status: 200 }, data: [{ id, reject: true }], fail: [] });
    expect(await statuses(id)).toEqual({ 'alice@example.test': 'rejected' });
    const audit = await env.gw.server.gateway.store.listAudit({ actions: ['hold_reject'], offset: 0, limit: 50 });
    expect(audit.entries.find((e) => e.target === id)).toMatchObject({
      operator: 'reviewer@example.test',
      detail: { message: 'Rejected by the Python sample', reasonType: 'REVIEWER DISAPPROVES OF CONTENT', notify: false },
    });
  });

  it('expires holds past their lifetime (rejected, audited as system)', async () => {
    const id = await sendInbound({ subject: 'left alone', text: GTUBE });
    const gateway = env.gw.server.gateway;
    const hold = await gateway.store.getHold(id);
    const later = createHeldReview({
      store: gateway.store,
      ingest: gateway.ingest,
      notifier: { wake: () => undefined },
      clock: { now: () => (hold?.expiresAt ?? 0) + 1 },
      hostname: 'gateway.test',
      queueLifetimeMs: 1000,
    });
    expect(await later.expire()).toBeGreaterThanOrEqual(1);
    expect(await statuses(id)).toEqual({ 'alice@example.test': 'rejected' });
    expect((await gateway.store.getHold(id))?.status).toBe('expired');
  });
});
