/**
 * Webhooks end to end (issue 14 part 2): a loopback receiver, signatures checked with node:crypto
 * from the documented formula, a receiver down across a gateway restart, disabling after repeated
 * failures, the admin API and the CLI. Runs on both backends (vitest.config.ts).
 */
import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './helpers/webhook-receiver.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Polls often and retries at once, so that tests wait on conditions, not on a schedule. */
const FAST = { MAILGATE_WEBHOOK_POLL_MS: '20', MAILGATE_WEBHOOK_RETRY_SCHEDULE: '0.02' };

async function gateway(env: Record<string, string> = {}, dataDir?: string): Promise<TestGateway> {
  const gw = await startTestGateway({ ...FAST, ...env }, dataDir);
  cleanups.push(() => gw.stop());
  return gw;
}

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  cleanups.push(() => r.close());
  return r;
}

async function send(gw: TestGateway, keys: MimecastKeys, to: string, subject: string): Promise<string> {
  const res = await mcPost(gw.url, keys, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: to }], subject, plainBody: { content: 'body' } }] }));
  expect(res.body.fail).toEqual([]);
  const internetId = String(res.body.data[0]?.messageId);
  return internetId.slice(1, internetId.indexOf('@'));
}

async function admin(gw: TestGateway, keys: MimecastKeys, method: string, uri: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(gw.url + uri, {
    method,
    headers: { ...mcHeaders(keys, uri.split('?')[0] as string), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function mailgate(gw: TestGateway, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, MAILGATE_DATA_DIR: gw.dataDir, ...gw.databaseEnv },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Checks the header exactly as docs/webhooks.md tells a receiver to, with node:crypto alone. */
function verify(hook: ReceivedWebhook, secret: string): boolean {
  const header = String(hook.headers['mailgate-signature']);
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !v1 || !/^\d+$/.test(t)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${hook.raw}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(t)) < 300;
}

const typesOf = (hooks: ReceivedWebhook[]) => hooks.map((h) => h.body.type);

describe('webhooks', () => {
  it('sends each event once, signed, with the tracking record’s per-recipient details', async () => {
    const gw = await gateway();
    const hooks = await receiver();
    const sender = await gw.user('sender@example.test');
    const boss = await gw.user('boss@example.test', ['admin']);
    const created = await admin(gw, boss, 'POST', '/admin/api/webhooks', { url: hooks.url });
    expect(created.status).toBe(201);
    const { id, secret } = created.body as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);

    const messageId = await send(gw, sender, 'reader@remote.test', 'hello hooks');
    await waitFor(() => hooks.accepted.length >= 2, 'two webhook events');
    expect(typesOf(hooks.accepted)).toEqual(['message.accepted', 'message.delivered']);
    for (const hook of hooks.accepted) {
      expect(verify(hook, secret)).toBe(true);
      expect(verify(hook, secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBe(false);
      expect(hook.headers['content-type']).toBe('application/json');
      expect(Object.keys(hook.body).sort()).toEqual(['createdAt', 'data', 'id', 'type']);
      expect(Number.isFinite(Date.parse(hook.body.createdAt))).toBe(true);
    }
    const [accepted, delivered] = hooks.accepted.map((h) => h.body);
    expect(accepted?.data).toMatchObject({ messageId, route: 'outbound', mailFrom: 'sender@example.test', subject: 'hello hooks' });
    expect(accepted?.data.recipients).toEqual([{ id: expect.any(String), address: 'reader@remote.test', status: 'queued' }]);
    expect(delivered?.data.recipients).toEqual([expect.objectContaining({ address: 'reader@remote.test', status: 'delivered', code: 250 })]);
    expect(accepted?.id).not.toBe(delivered?.id);

    // Nothing is left and nothing is sent twice (the first pass may be the one that sent the last event).
    await gw.server.gateway.webhooks.dispatch.runOnce();
    expect(await gw.server.gateway.webhooks.dispatch.runOnce()).toBe(0);
    expect(hooks.arrived).toBe(2);
    expect(await gw.server.gateway.webhooks.backlog()).toBe(0);
    const log = await admin(gw, boss, 'GET', `/admin/api/webhooks/${id}/log`);
    expect(log.status).toBe(200);
    expect(log.body.attempts.map((a: Json) => [a.eventId, a.ok, a.status])).toEqual([
      [delivered?.id, true, 200],
      [accepted?.id, true, 200],
    ]);
    // The secret is sealed in the store and absent from every view.
    expect((await gw.server.gateway.store.getWebhookEndpoint(id))?.secretSealed).not.toContain(secret);
    const listed = await admin(gw, boss, 'GET', '/admin/api/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.webhooks).toEqual([expect.objectContaining({ id, url: hooks.url, events: [], enabled: true, failures: 0, disabledReason: null })]);
  });

  it('sends only the subscribed types: a bounce with the remote reply', async () => {
    const relay = await startSmtpSink({ onRcpt: (a) => (a === 'nobody@remote.test' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
    cleanups.push(() => relay.close());
    const gw = await gateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    const hooks = await receiver();
    const sender = await gw.user('sender@example.test');
    const { secret } = await gw.server.gateway.webhooks.add({ url: hooks.url, events: ['message.bounced'] }, 'test');
    await send(gw, sender, 'nobody@remote.test', 'to nobody');
    await waitFor(() => hooks.accepted.length >= 1, 'the bounce event');
    // The bounce notice to the local sender is mail too: its acceptance and delivery are not subscribed.
    await waitFor(async () => (await gw.server.gateway.webhooks.backlog()) === 0, 'the log read to its end');
    expect(typesOf(hooks.accepted)).toEqual(['message.bounced']);
    expect(verify(hooks.accepted[0] as ReceivedWebhook, secret)).toBe(true);
    expect(hooks.accepted[0]?.body.data.recipients).toEqual([
      expect.objectContaining({ address: 'nobody@remote.test', status: 'bounced', code: 550, reason: 'permanent', reply: expect.stringContaining('no such user') }),
    ]);
  });

  it('keeps the backlog while the receiver is down, across a gateway restart, and sends it in order with the same ids', async () => {
    const temp = await withTempDir();
    cleanups.push(() => temp.remove());
    const hooks = await receiver();
    await hooks.down();
    const first = await gateway({}, temp.dir);
    const sender = await first.user('sender@example.test');
    const { id } = await first.server.gateway.webhooks.add({ url: hooks.url }, 'test');
    const messages = [];
    for (const n of [1, 2, 3]) messages.push(await send(first, sender, 'reader@remote.test', `backlog ${n}`));
    await waitFor(async () => (await first.server.gateway.webhooks.log(id, 10)).length >= 2, 'failed attempts');
    const failed = await first.server.gateway.webhooks.log(id, 10);
    expect(failed.every((a) => !a.ok && a.status === null && /ECONNREFUSED/.test(String(a.error)))).toBe(true);
    // Every failure was for the first event: nothing overtakes it.
    expect(new Set(failed.map((a) => a.eventId)).size).toBe(1);
    await waitFor(async () => (await first.server.gateway.webhooks.backlog()) === 6, 'all six events in the backlog');
    const scraped = await (await fetch(`${first.url}/metrics`)).text();
    expect(scraped).toMatch(/^mailgate_webhook_backlog 6$/m);
    await first.server.close();

    const second = await gateway(first.databaseEnv, temp.dir);
    await hooks.up();
    await waitFor(() => hooks.accepted.length >= 6, 'the backlog');
    await second.server.gateway.webhooks.dispatch.runOnce();
    expect(await second.server.gateway.webhooks.dispatch.runOnce()).toBe(0);
    const received = hooks.accepted.map((h) => h.body);
    expect(received).toHaveLength(6);
    expect(received[0]?.id).toBe(failed[0]?.eventId);
    expect(new Set(received.map((e) => e.id)).size).toBe(6);
    // The log order: each message's acceptance before its delivery, and the receiver saw exactly that order.
    const logOrder = await second.server.gateway.store.readEventLog({ tx: 0, id: 0 }, ['received', 'delivered'], 100);
    expect(received.map((e) => e.id)).toEqual(logOrder.map((e) => `evt_${e.id}`));
    for (const messageId of messages) {
      const own = received.filter((e) => e.data.messageId === messageId).map((e) => e.type);
      expect(own).toEqual(['message.accepted', 'message.delivered']);
    }
    expect(await second.server.gateway.webhooks.backlog()).toBe(0);
  });

  // Each CLI run starts node with tsx: the two tests that run it get more time than the default.
  it('disables an endpoint after repeated failures with the reason shown, and resumes with the same event when enabled', { timeout: 120_000 }, async () => {
    const gw = await gateway({ MAILGATE_WEBHOOK_MAX_FAILURES: '3' });
    const hooks = await receiver();
    hooks.status = 500;
    const sender = await gw.user('sender@example.test');
    const boss = await gw.user('boss@example.test', ['admin']);
    const { id } = await gw.server.gateway.webhooks.add({ url: hooks.url, events: ['message.accepted'] }, 'test');
    await send(gw, sender, 'reader@remote.test', 'refused hooks');
    await waitFor(async () => !(await gw.server.gateway.webhooks.get(id)).enabled, 'the endpoint disabled');

    const shown = await admin(gw, boss, 'GET', `/admin/api/webhooks/${id}`);
    expect(shown.body).toMatchObject({ enabled: false, failures: 3, disabledReason: 'disabled after 3 consecutive failures; last: HTTP 500' });
    const listed = await mailgate(gw, ['webhook', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Json)).toEqual([
      expect.objectContaining({ id, enabled: false, disabledReason: 'disabled after 3 consecutive failures; last: HTTP 500' }),
    ]);
    const log = await mailgate(gw, ['webhook', 'log', id]);
    const attempts = log.stdout.trim().split('\n').map((line) => JSON.parse(line) as Json);
    expect(attempts.map((a) => [a.ok, a.status, a.error])).toEqual(Array(3).fill([false, 500, 'HTTP 500']));
    expect(new Set(attempts.map((a) => a.eventId)).size).toBe(1);
    // Disabled: no further attempts, and the backlog counts enabled endpoints only.
    await gw.server.gateway.webhooks.dispatch.runOnce();
    expect(await gw.server.gateway.webhooks.dispatch.runOnce()).toBe(0);
    expect(hooks.arrived).toBe(3);
    expect(hooks.accepted).toEqual([]);
    expect(await gw.server.gateway.webhooks.backlog()).toBe(0);

    hooks.status = 200;
    const enabled = await admin(gw, boss, 'POST', `/admin/api/webhooks/${id}/enable`);
    expect(enabled.body).toMatchObject({ enabled: true, failures: 0, disabledReason: null });
    await waitFor(() => hooks.accepted.length >= 1, 'the held-back event');
    expect(hooks.accepted.map((h) => h.body.id)).toEqual([attempts[0]?.eventId]);
  });

  it('manages subscriptions from the CLI and the admin API, refusing bad input and non-administrators', { timeout: 120_000 }, async () => {
    const gw = await gateway();
    const plain = await gw.user('plain@example.test');
    const boss = await gw.user('boss@example.test', ['admin']);
    const added = await mailgate(gw, ['webhook', 'add', '--url', 'https://hooks.example.test/in', '--event', 'message.delivered', '--event', 'message.bounced']);
    expect(added.code).toBe(0);
    const { id, secret } = JSON.parse(added.stdout) as { id: string; secret: string };
    expect(Object.keys(JSON.parse(added.stdout) as Json).sort()).toEqual(['id', 'secret']);
    const listed = await mailgate(gw, ['webhook', 'list']);
    expect(listed.stdout).not.toContain(secret);
    expect(JSON.parse(listed.stdout.trim()) as Json).toMatchObject({ id, url: 'https://hooks.example.test/in', events: ['message.delivered', 'message.bounced'], enabled: true });

    const badEvent = await mailgate(gw, ['webhook', 'add', '--url', 'https://hooks.example.test/in', '--event', 'message.opened']);
    expect(badEvent.code).not.toBe(0);
    expect(badEvent.stderr).toContain('unknown event "message.opened"');
    const badUrl = await admin(gw, boss, 'POST', '/admin/api/webhooks', { url: 'file:///etc/passwd' });
    expect(badUrl).toEqual({ status: 400, body: { error: { code: 'invalid_value', message: 'url must use http or https', field: 'url' } } });
    const withUser = await admin(gw, boss, 'POST', '/admin/api/webhooks', { url: 'https://user:pw@hooks.example.test/' });
    expect(withUser.body.error).toMatchObject({ code: 'invalid_value', field: 'url' });
    const noUrl = await admin(gw, boss, 'POST', '/admin/api/webhooks', { events: [] });
    expect(noUrl).toEqual({ status: 400, body: { error: { code: 'field_required', message: 'url is required', field: 'url' } } });
    const badType = await admin(gw, boss, 'POST', '/admin/api/webhooks', { url: 'https://hooks.example.test/', events: ['message.opened'] });
    expect(badType.body.error).toMatchObject({ code: 'invalid_value', field: 'events.0' });
    const forbidden = await admin(gw, plain, 'POST', '/admin/api/webhooks', { url: 'https://hooks.example.test/other' });
    expect(forbidden.status).toBe(403);
    expect((await admin(gw, plain, 'GET', '/admin/api/webhooks')).status).toBe(403);
    // None of the refusals created anything.
    expect(await gw.countRows('webhook_endpoints')).toBe(1);

    const removed = await admin(gw, boss, 'DELETE', `/admin/api/webhooks/${id}`);
    expect(removed.status).toBe(204);
    expect((await admin(gw, boss, 'DELETE', `/admin/api/webhooks/${id}`)).body.error.code).toBe('not_found');
    const gone = await mailgate(gw, ['webhook', 'remove', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`No webhook has the id ${id}`);
    expect(await gw.countRows('webhook_endpoints')).toBe(0);
  });
});
