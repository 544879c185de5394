/**
 * Queue control against real queued mail: a relay sink that answers 451 keeps mail deferred; the
 * `mailgate queue` CLI (a separate process on the same database) and the admin API list it, retry
 * it (the running gateway notices at once), bounce it with a notice, delete it and flush a domain.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import type { Settlement } from '../src/core/storage/store.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { waitFor } from './helpers/wait-for.js';

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

let relay: SmtpSink;
let accepting = false;
/** When set, the sink holds DATA open until this settles (a transaction in flight). */
let holding: Promise<undefined | { code: number; message: string }> | undefined;
let gw: TestGateway;
let sender: MimecastKeys;
let admin: MimecastKeys;
let tracker: MimecastKeys;

async function mailgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: {
        ...process.env,
        MAILGATE_DATA_DIR: gw.dataDir,
        MAILGATE_HOSTNAME: 'gateway.test',
        MAILGATE_LOCAL_DOMAINS: 'example.test',
        MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
        MAILGATE_LOG_LEVEL: 'silent',
        ...gw.databaseEnv,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function call(keys: MimecastKeys, method: string, uri: string): Promise<{ status: number; body: Item }> {
  const res = await fetch(gw.url + uri, { method, headers: mcHeaders(keys, uri.split('?')[0] as string) });
  return { status: res.status, body: (await res.json()) as Item };
}

/** Sends one message and resolves with its id once its first attempt was deferred by the sink. */
async function sendDeferred(to: string, subject: string): Promise<string> {
  const deferred = gw.nextSettlement((s) => s.status === 'deferred');
  const res = await mcPost(gw.url, sender, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: to }], subject, plainBody: { content: 'queued body' } }] }));
  expect(res.body.fail).toEqual([]);
  return (await deferred).messageId;
}

const settledFor = (messageId: string, status: Settlement['status']) => gw.nextSettlement((s) => s.messageId === messageId && s.status === status);

beforeAll(async () => {
  relay = await startSmtpSink({ onData: () => holding ?? (accepting ? undefined : { code: 451, message: '4.3.0 try again later' }) });
  // An hour between attempts: nothing but queue control makes the next one happen during the test.
  gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, MAILGATE_RETRY_SCHEDULE: '3600' });
  sender = await gw.user('sender@example.test');
  admin = await gw.user('ops@example.test', ['admin']);
  tracker = await gw.user('watcher@example.test', ['tracking']);
});

afterAll(async () => {
  await gw?.stop();
  await relay?.close();
});

describe('queue control', () => {
  // Each CLI run is a fresh process on the same database; one per test keeps each well within its time.
  let retried: string;

  it('lists deferred mail as JSON lines with what the remote said', async () => {
    retried = await sendDeferred('reader@remote.test', 'retry me');
    const listed = await mailgate(['queue', 'list', '--json', '--domain', 'remote.test']);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Item);
    const entry = lines.find((l) => l.messageId === retried);
    expect(entry).toMatchObject({ messageId: retried, recipient: 'reader@remote.test', state: 'deferred', attempts: 1, lastCode: 451 });
    expect(entry?.lastReply).toContain('try again later');
    expect(Date.parse(entry?.nextAttemptAt) - Date.now()).toBeGreaterThan(60_000);
  });

  it('`queue retry` makes the running gateway try it now', async () => {
    accepting = true;
    const delivered = settledFor(retried, 'delivered');
    const answer = await mailgate(['queue', 'retry', retried, '--by', 'night-ops']);
    expect(answer.code, answer.stderr).toBe(0);
    expect(JSON.parse(answer.stdout)).toMatchObject({ action: 'retry', entries: [{ messageId: retried, recipient: 'reader@remote.test' }] });
    expect((await delivered).code).toBe(250);
    accepting = false;
    expect(relay.messages.some((m) => m.raw.toString().includes('Subject: retry me'))).toBe(true);

    const { store } = gw.server.gateway;
    const events = await store.listEvents(retried);
    expect(events.map((e) => e.kind)).toEqual(['received', 'queued', 'attempt', 'deferred', 'retry_requested', 'attempt', 'delivered']);
    expect(events.find((e) => e.kind === 'retry_requested')?.detail).toEqual({ operator: 'night-ops' });
    const audit = await store.listAudit({ actions: ['queue_retry'], offset: 0, limit: 10 });
    expect(audit.entries[0]).toMatchObject({ operator: 'night-ops', action: 'queue_retry', target: retried, detail: { recipients: ['reader@remote.test'] } });
    const after = await call(tracker, 'GET', '/admin/api/queue');
    expect(after.body.entries.map((e: Item) => e.messageId)).not.toContain(retried);
  });

  it('bounces now over the admin API with a failure notice to the sender', async () => {
    const id = await sendDeferred('far@remote.test', 'bounce me');
    const listed = await call(tracker, 'GET', '/admin/api/queue?state=deferred&sender=SENDER@example.test');
    expect(listed.status).toBe(200);
    expect(listed.body.entries.map((e: Item) => e.messageId)).toContain(id);

    const notice = gw.nextSettlement((s) => s.status === 'delivered' && s.events.some((e) => e.detail?.transport === 'local'));
    const bounced = await call(admin, 'POST', `/admin/api/queue/messages/${id}/bounce`);
    expect(bounced.status).toBe(200);
    expect(bounced.body).toMatchObject({ action: 'bounce', entries: [{ messageId: id, recipient: 'far@remote.test', state: 'deferred' }] });
    await notice;
    const { store } = gw.server.gateway;
    const user = await store.getUserByEmail('sender@example.test');
    const inbox = await store.listMailbox(user!.id, 'inbox');
    expect(inbox.map((m) => m.subject)).toContain('[Message delivery failed] bounce me');
    const shown = await call(tracker, 'GET', `/admin/api/queue/messages/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ messageId: id, status: 'bounced', recipients: [{ recipient: 'far@remote.test', state: 'bounced', lastCode: 550 }] });
    const kinds = shown.body.events.map((e: Item) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['bounced', 'notice_sent']));
    expect(shown.body.events.find((e: Item) => e.kind === 'bounced').detail).toMatchObject({ reason: 'operator', operator: 'ops@example.test' });
    const again = await call(admin, 'POST', `/admin/api/queue/messages/${id}/bounce`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('deletes without a notice, recorded in the tracking record', async () => {
    const id = await sendDeferred('gone@remote.test', 'delete me');
    const { store } = gw.server.gateway;
    const user = await store.getUserByEmail('sender@example.test');
    const inboxBefore = (await store.listMailbox(user!.id, 'inbox')).length;
    const deleted = await mailgate(['queue', 'delete', id, '--by', 'night-ops']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout).entries).toHaveLength(1);
    const listed = await call(tracker, 'GET', '/admin/api/queue');
    expect(listed.body.entries.map((e: Item) => e.messageId)).not.toContain(id);
    expect((await store.getMessage(id))?.status).toBe('rejected');
    const events = await store.listEvents(id);
    expect(events.at(-1)).toMatchObject({ kind: 'deleted', detail: { operator: 'night-ops' } });
    expect(events.some((e) => e.kind === 'notice_sent')).toBe(false);
    expect(await store.listMailbox(user!.id, 'inbox')).toHaveLength(inboxBefore);
    const missing = await call(admin, 'DELETE', '/admin/api/queue/messages/no-such-message');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: 'No message has the id no-such-message', field: 'messageId' });
  });

  it('flushes a domain: every waiting delivery to it is tried now', async () => {
    const first = await sendDeferred('a@flush.test', 'flush one');
    const second = await sendDeferred('b@flush.test', 'flush two');
    const other = await sendDeferred('c@stays.test', 'not flushed');
    accepting = true;
    const delivered = Promise.all([settledFor(first, 'delivered'), settledFor(second, 'delivered')]);
    const flushed = await call(admin, 'POST', '/admin/api/queue/domains/FLUSH.test/flush');
    expect(flushed.status).toBe(200);
    expect(flushed.body.entries.map((e: Item) => e.messageId).sort()).toEqual([first, second].sort());
    await delivered;
    accepting = false;
    const left = await call(tracker, 'GET', '/admin/api/queue');
    expect(left.body.entries.map((e: Item) => e.messageId)).toEqual([other]);
  });

  it('refuses callers without the permission and changes nothing', async () => {
    const id = await sendDeferred('kept@remote.test', 'not yours');
    const plainList = await call(sender, 'GET', '/admin/api/queue');
    expect(plainList.status).toBe(403);
    const retry = await call(tracker, 'POST', `/admin/api/queue/messages/${id}/retry`);
    expect(retry.status).toBe(403);
    expect(retry.body.error.code).toBe('forbidden');
    const remove = await call(tracker, 'DELETE', `/admin/api/queue/messages/${id}`);
    expect(remove.status).toBe(403);
    const badState = await call(tracker, 'GET', '/admin/api/queue?state=lost');
    expect(badState.status).toBe(400);
    const entry = (await call(tracker, 'GET', '/admin/api/queue?domain=remote.test')).body.entries.find((e: Item) => e.messageId === id);
    expect(entry).toMatchObject({ state: 'deferred', attempts: 1 });
    const events = await gw.server.gateway.store.listEvents(id);
    expect(events.map((e) => e.kind)).toEqual(['received', 'queued', 'attempt', 'deferred']);
  });

  it('leaves a delivery in flight to its attempt, and filters by age', async () => {
    let release: (verdict: { code: number; message: string }) => void = () => undefined;
    holding = new Promise((resolve) => (release = resolve));
    const deferred = gw.nextSettlement((s) => s.status === 'deferred');
    const sent = await mcPost(gw.url, sender, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'busy@inflight.test' }], subject: 'in flight', plainBody: { content: 'x' } }] }));
    expect(sent.body.fail).toEqual([]);
    let entry: Item | undefined;
    await waitFor(async () => {
      entry = (await call(tracker, 'GET', '/admin/api/queue?state=in-flight')).body.entries[0];
      return entry !== undefined;
    }, 'the delivery to be in flight');
    expect(entry).toMatchObject({ recipient: 'busy@inflight.test', state: 'in-flight', attempts: 0 });
    const retry = await call(admin, 'POST', `/admin/api/queue/messages/${entry!.messageId}/retry`);
    expect(retry.status).toBe(409);
    const bounce = await call(admin, 'POST', `/admin/api/queue/messages/${entry!.messageId}/bounce`);
    expect(bounce.status).toBe(409);
    holding = undefined;
    release({ code: 451, message: '4.3.0 try again later' });
    expect((await deferred).messageId).toBe(entry!.messageId);
    const events = await gw.server.gateway.store.listEvents(entry!.messageId);
    expect(events.map((e) => e.kind)).toEqual(['received', 'queued', 'attempt', 'deferred']);
    const old = await call(tracker, 'GET', '/admin/api/queue?olderThanSeconds=3600');
    expect(old.body).toEqual({ total: 0, entries: [] });
    const recent = await call(tracker, 'GET', '/admin/api/queue?olderThanSeconds=0&domain=inflight.test');
    expect(recent.body.entries.map((e: Item) => e.state)).toEqual(['deferred']);
  });

  it('prints a table for people without --json', async () => {
    const id = await sendDeferred('table@remote.test', 'shown in a table');
    const listed = await mailgate(['queue', 'list', '--state', 'deferred']);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MESSAGE\s+STATE\s+TRIES\s+NEXT ATTEMPT\s+RECIPIENT\s+LAST REPLY$/);
    expect(lines.find((l) => l.startsWith(id))).toMatch(/deferred\s+1\s+\S+\s+table@remote\.test\s+451 .*try again later/);
    expect(lines.at(-1)).toMatch(/^\d+ of \d+ waiting deliveries$/);
  });
});
