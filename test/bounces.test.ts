/**
 * Standard bounces and suppression, end to end: a relay refusing a recipient with 550 produces an
 * RFC 3464 report that Python's `email` package reads as multipart/report, the address goes on the
 * suppression list, and the next send to it is refused in every dialect's own shape, unqueued.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthClient } from '../src/auth/oauth-clients.js';
import { tenantIdFor } from '../src/auth/tenant.js';
import type { MimecastKeys } from '../src/auth/identity.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';
import { startWorksFixture, PASSWORD, type WorksFixture } from './helpers/works.js';

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile);

async function mailgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const env = { ...process.env, MAILGATE_DATA_DIR: f.gw.dataDir, MAILGATE_LOG_LEVEL: 'silent', ...f.gw.databaseEnv };
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const root = path.resolve(import.meta.dirname, '..');
const GONE = 'nobody@remote.test';

let f: WorksFixture;
let mimecast: MimecastKeys;
let admin: MimecastKeys;
let worksToken: string;
let graphToken: string;
let bouncedId: string;

async function adminCall(method: string, uri: string, body?: unknown): Promise<{ status: number; body: Item }> {
  const res = await fetch(f.gw.url + uri, {
    method,
    headers: { ...mcHeaders(admin, uri), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Item) : {} };
}

function mimecastSend(to: string, subject: string) {
  return mcPost(f.gw.url, mimecast, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: to }], subject, plainBody: { content: 'body' } }] }));
}

async function graphSend(to: string): Promise<{ status: number; body: Item }> {
  const res = await fetch(`${f.gw.url}/v1.0/me/sendMail`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${graphToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: { subject: 'graph again', toRecipients: [{ emailAddress: { address: to } }] } }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Item) : {} };
}

function smtpSend(to: string): Promise<unknown> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: f.gw.server.smtpPort,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'works@example.test', pass: PASSWORD },
  });
  return transport.sendMail({ from: 'works@example.test', to, subject: 'smtp again', text: 'body' }).finally(() => transport.close());
}

beforeAll(async () => {
  f = await startWorksFixture({}, { onRcpt: (address) => (address === GONE ? { code: 550, message: '5.1.1 <nobody@remote.test>: no such user here' } : undefined) });
  mimecast = await f.gw.user('sender@example.test');
  admin = await f.gw.user('ops@example.test', ['admin']);
  await f.user('works@example.test');
  worksToken = await f.token('works@example.test');
  const { store } = f.gw.server.gateway;
  const app = await createOAuthClient(store, { name: 'bounce test', permissions: [] });
  const token = await fetch(`${f.gw.url}/${tenantIdFor('gateway.test')}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: app.clientId, username: 'works@example.test', password: PASSWORD, scope: 'Mail.Send' }),
  });
  graphToken = ((await token.json()) as { access_token: string }).access_token;

  // The hard bounce every test below builds on.
  const bounced = f.gw.nextSettlement((s) => s.status === 'bounced');
  const notice = f.gw.nextSettlement((s) => s.status === 'delivered' && s.events.some((e) => e.detail?.transport === 'local'));
  const sent = await mimecastSend(GONE, 'to a mailbox that is gone');
  expect(sent.body.fail).toEqual([]);
  bouncedId = (await bounced).messageId;
  await notice;
});

afterAll(async () => {
  await f?.stop();
});

describe('delivery status notifications', () => {
  it('reports a 550 as multipart/report that Python reads: Final-Recipient, Status, the original headers', async () => {
    const { store } = f.gw.server.gateway;
    const sender = await store.getUserByEmail('sender@example.test');
    const [entry] = await store.listMailbox(sender!.id, 'inbox');
    expect(entry?.subject).toBe('[Message delivery failed] to a mailbox that is gone');
    const file = path.join(f.gw.dataDir, 'dsn.eml');
    await writeFile(file, await store.blobs.get(entry!.blobKey));
    const { stdout } = await run('python3', [path.join(root, 'test/fixtures/python/parse_dsn.py'), file]);
    const dsn = JSON.parse(stdout) as Item;
    expect(dsn.contentType).toBe('multipart/report');
    expect(dsn.reportType).toBe('delivery-status');
    expect(dsn.parts).toEqual(['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    expect(dsn.text).toContain('could not be delivered');
    expect(dsn.text).toContain(GONE);
    expect(dsn.perMessage['Reporting-MTA']).toBe('dns; gateway.test');
    expect(Date.parse(dsn.perMessage['Arrival-Date'])).toBeGreaterThan(0);
    expect(dsn.recipients).toHaveLength(1);
    expect(dsn.recipients[0]).toMatchObject({ 'Final-Recipient': `rfc822; ${GONE}`, Action: 'failed', Status: '5.1.1', 'Remote-MTA': 'dns; 127.0.0.1' });
    expect(dsn.recipients[0]['Diagnostic-Code']).toMatch(/^smtp; 550 5\.1\.1 <nobody@remote\.test>: no such user here/);
    expect(Date.parse(dsn.recipients[0]['Last-Attempt-Date'])).toBeGreaterThan(0);
    expect(dsn.originalHeaders).toContain('Subject: to a mailbox that is gone');
    expect(dsn.originalHeaders).toContain(`To: ${GONE}`);
  });
});

describe('suppression', () => {
  it('lists the hard-bounced address with its reason and source message', async () => {
    const listed = await adminCall('GET', '/admin/api/suppressions');
    expect(listed.status).toBe(200);
    const entry = listed.body.entries.find((e: Item) => e.address === GONE);
    expect(entry).toMatchObject({ address: GONE, sourceMessageId: bouncedId, createdBy: 'system' });
    expect(entry.reason).toContain('550');
    // MAILGATE_SUPPRESSION_DAYS defaults to 30.
    expect(Date.parse(entry.expiresAt) - Date.parse(entry.createdAt)).toBe(30 * 86_400_000);
  });

  it('refuses the next send per item in each dialect, and queues nothing', async () => {
    const before = await f.gw.countRows('messages');

    const mc = await mcPost(
      f.gw.url,
      mimecast,
      '/api/email/send-email',
      JSON.stringify({ data: [{ to: [{ emailAddress: 'NOBODY@remote.test' }], subject: 'again', plainBody: { content: 'x' } }, { to: [{ emailAddress: 'fine@remote.test' }], subject: 'fine', plainBody: { content: 'x' } }] }),
    );
    expect(mc.status).toBe(200);
    expect(mc.body.data).toHaveLength(1);
    expect(mc.body.fail).toHaveLength(1);
    expect(mc.body.fail[0]!.errors[0]).toMatchObject({ code: 'err_validation_recipient_suppressed', retryable: false });
    expect(mc.body.fail[0]!.errors[0]!.message).toContain(GONE);

    const graph = await graphSend(GONE);
    expect(graph.status).toBe(400);
    expect(graph.body.error.code).toBe('ErrorInvalidRecipients');
    expect(graph.body.error.message).toContain('suppression list');

    const works = await f.call(worksToken, 'POST', '/users/me/mail', { to: GONE, subject: 'works again', body: 'x' });
    expect(works.status).toBe(400);
    expect(works.json).toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(String(works.json.description)).toContain('suppression list');

    await expect(smtpSend(GONE)).rejects.toMatchObject({ responseCode: 550, response: expect.stringMatching(/^550 5\.1\.1 .*suppression list/) });

    // Only Mimecast's second item was accepted.
    expect(await f.gw.countRows('messages')).toBe(before + 1);
  });

  it('lets mail through again once removed, and honours expiry of operator entries', async () => {
    const added = await adminCall('POST', '/admin/api/suppressions', { address: 'Later@Remote.test', reason: 'asked us to stop', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ address: 'later@remote.test', reason: 'asked us to stop', createdBy: 'ops@example.test' });
    expect((await mimecastSend('later@remote.test', 'refused')).body.fail[0]?.errors[0]?.code).toBe('err_validation_recipient_suppressed');
    // An entry whose time has passed is no longer in force.
    await f.gw.server.gateway.store.putSuppression({ address: 'later@remote.test', reason: 'x', sourceMessageId: null, createdBy: 'test', createdAt: Date.now() - 2000, expiresAt: Date.now() - 1000 });
    expect((await mimecastSend('later@remote.test', 'expired entry')).body.fail).toEqual([]);

    const removed = await adminCall('DELETE', `/admin/api/suppressions/${encodeURIComponent(GONE)}`);
    expect(removed.status).toBe(204);
    expect((await adminCall('DELETE', `/admin/api/suppressions/${encodeURIComponent(GONE)}`)).status).toBe(404);
    const audit = await f.gw.server.gateway.store.listAudit({ actions: ['suppression_add', 'suppression_remove'], offset: 0, limit: 10 });
    expect(audit.entries.map((e) => [e.action, e.target])).toEqual([
      ['suppression_remove', GONE],
      ['suppression_add', 'later@remote.test'],
    ]);
    expect((await graphSend(GONE)).status).toBe(202);
  });

  it('takes entries from `mailgate suppression add`', async () => {
    const added = await mailgate(['suppression', 'add', 'Cli@Remote.test', '--reason', 'complained', '--expires', '2099-01-01T00:00:00Z', '--by', 'night-ops']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ address: 'cli@remote.test', reason: 'complained', createdBy: 'night-ops', expiresAt: '2099-01-01T00:00:00.000Z' });
    expect((await mimecastSend('cli@remote.test', 'refused')).body.fail[0]?.errors[0]?.code).toBe('err_validation_recipient_suppressed');
  });

  it('drops entries with `mailgate suppression remove`', async () => {
    const removed = await mailgate(['suppression', 'remove', 'cli@remote.test']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ address: 'cli@remote.test', removed: true });
    const listed = await adminCall('GET', '/admin/api/suppressions');
    expect(listed.body.entries.map((e: Item) => e.address)).not.toContain('cli@remote.test');
  });
});
