/**
 * Delivery end to end through the Mimecast API: retries after a temporary refusal, bounces with a
 * notice to the sender, expiry, restart with queued mail, and a gateway process killed mid-delivery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { addUser, createMimecastKeys, type MimecastKeys } from '../src/auth/identity.js';
import { createSecretBox, loadMasterKey } from '../src/auth/secret-box.js';
import { openStore } from '../src/store/open-store.js';
import { gatewayBackend } from './helpers/backends.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sink(script?: Parameters<typeof startSmtpSink>[0]): Promise<SmtpSink> {
  const s = await startSmtpSink(script);
  cleanups.push(() => s.close());
  return s;
}

async function gateway(env: Record<string, string>, dataDir?: string): Promise<TestGateway> {
  const gw = await startTestGateway(env, dataDir);
  cleanups.push(() => gw.stop());
  return gw;
}

async function send(url: string, keys: MimecastKeys, to: string[], subject = 'delivery test') {
  const res = await mcPost(
    url,
    keys,
    '/api/email/send-email',
    JSON.stringify({ data: [{ to: to.map((emailAddress) => ({ emailAddress })), subject, plainBody: { content: 'body' } }] }),
  );
  expect(res.status).toBe(200);
  expect(res.body.fail).toEqual([]);
  return res.body.data[0] as { messageId: string };
}

async function messageIdOf(gw: TestGateway, internetMessageId: string): Promise<string> {
  const id = internetMessageId.slice(1, internetMessageId.indexOf('@'));
  expect(await gw.server.gateway.store.getMessage(id)).toBeDefined();
  return id;
}

describe('delivery', () => {
  it('retries after a temporary refusal and records both attempts with what the server said', async () => {
    const relay = await sink({ onData: (_m, i) => (i === 0 ? { code: 451, message: '4.3.0 try again later' } : undefined) });
    const gw = await gateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, MAILGATE_RETRY_SCHEDULE: '0.05' });
    const keys = await gw.user('sender@example.test');
    const deferred = gw.nextSettlement((s) => s.status === 'deferred');
    const delivered = gw.nextSettlement((s) => s.status === 'delivered');
    const sent = await send(gw.url, keys, ['reader@remote.test']);
    expect((await deferred).code).toBe(451);
    expect((await delivered).code).toBe(250);
    expect(relay.messages).toHaveLength(1);

    const id = await messageIdOf(gw, sent.messageId);
    const events = await gw.server.gateway.store.listEvents(id);
    expect(events.map((e) => e.kind)).toEqual(['received', 'queued', 'attempt', 'deferred', 'attempt', 'delivered']);
    const [first, second] = events.filter((e) => e.kind === 'attempt');
    expect(first?.detail).toMatchObject({ code: 451, remoteIp: '127.0.0.1', transport: 'relay' });
    expect(String(first?.detail.reply)).toContain('try again later');
    expect(second?.detail).toMatchObject({ code: 250, remoteIp: '127.0.0.1' });
    expect(String(second?.detail.greeting)).toMatch(/ESMTP/);
    expect(Number(second?.detail.bytes)).toBeGreaterThan(0);
    expect((await gw.server.gateway.store.getMessage(id))?.status).toBe('delivered');
  });

  it('bounces a permanent refusal and puts a [Message delivery failed] notice in the local sender’s inbox', async () => {
    const relay = await sink({ onRcpt: (a) => (a === 'nobody@remote.test' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
    const gw = await gateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    const keys = await gw.user('sender@example.test');
    const bounced = gw.nextSettlement((s) => s.status === 'bounced');
    const noticeDelivered = gw.nextSettlement((s) => s.status === 'delivered' && s.events.some((e) => e.detail?.transport === 'local'));
    const sent = await send(gw.url, keys, ['nobody@remote.test', 'reader@remote.test'], 'will half bounce');
    expect((await bounced).code).toBe(550);
    await noticeDelivered;
    const { store } = gw.server.gateway;
    const sender = await store.getUserByEmail('sender@example.test');
    const inbox = await store.listMailbox(sender!.id, 'inbox');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.subject).toBe('[Message delivery failed] will half bounce');
    const notice = (await store.blobs.get(inbox[0]!.blobKey)).toString();
    expect(notice).toContain('nobody@remote.test');
    expect(notice).toContain('550');
    const id = await messageIdOf(gw, sent.messageId);
    const kinds = (await store.listEvents(id)).map((e) => e.kind);
    expect(kinds).toContain('bounced');
    expect(kinds).toContain('notice_sent');
    expect((await store.getMessage(id))?.status).toBe('partial');
  });

  it('bounces mail still deferred when its queue lifetime ends', async () => {
    const relay = await sink({ onData: () => ({ code: 451, message: '4.7.1 greylisted' }) });
    const gw = await gateway({
      MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      MAILGATE_RETRY_SCHEDULE: '0.2',
      MAILGATE_QUEUE_LIFETIME_SECONDS: '1',
    });
    const keys = await gw.user('sender@example.test');
    const bounced = gw.nextSettlement((s) => s.status === 'bounced');
    await send(gw.url, keys, ['reader@remote.test']);
    const settled = await bounced;
    expect(settled.code).toBe(451);
    const sender = await gw.server.gateway.store.getUserByEmail('sender@example.test');
    await gw.nextSettlement((s) => s.status === 'delivered');
    const inbox = await gw.server.gateway.store.listMailbox(sender!.id, 'inbox');
    expect(inbox[0]?.subject).toMatch(/^\[Message delivery failed\]/);
  });

  it('delivers mail left queued by a stopped gateway once a new one starts on the same data', async () => {
    const refusing = await sink({ onData: () => ({ code: 451, message: '4.3.2 not now' }) });
    const temp = await withTempDir();
    cleanups.push(() => temp.remove());
    const first = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${refusing.port}`, MAILGATE_RETRY_SCHEDULE: '0.3' }, temp.dir);
    // Stopped last: on PostgreSQL its stop() drops the database the second gateway shares.
    cleanups.push(() => first.stop());
    const keys = await first.user('sender@example.test');
    const deferred = first.nextSettlement((s) => s.status === 'deferred');
    await send(first.url, keys, ['a@remote.test', 'b@remote.test']);
    await deferred;
    await first.server.close();

    const relay = await sink();
    const second = await gateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, ...first.databaseEnv }, temp.dir);
    // The two deferrals may have been settled apart, so they may travel in one transaction or two.
    const delivered = () => relay.messages.flatMap((m) => m.rcptTo).sort();
    await waitFor(() => delivered().length >= 2, 'both recipients at the relay');
    expect(delivered()).toEqual(['a@remote.test', 'b@remote.test']);
    expect(second.server.gateway.config.dataDir).toBe(temp.dir);
  });
});

describe('a gateway process killed mid-delivery', () => {
  it('has its leased delivery taken over after the lease expires: delivered once, never lost', async () => {
    const temp = await withTempDir();
    cleanups.push(() => temp.remove());
    const database = await gatewayBackend.database();
    cleanups.push(() => database.dispose());
    // Credentials are created directly in the database, as the CLI would.
    const store = await openStore(loadConfig({ MAILGATE_DATA_DIR: temp.dir, ...database.env }));
    await addUser(store, { email: 'sender@example.test' });
    const keys = await createMimecastKeys(store, createSecretBox(loadMasterKey(temp.dir)), { email: 'sender@example.test' });
    await store.close();

    let dataReached!: () => void;
    const reached = new Promise<void>((resolve) => (dataReached = resolve));
    const hanging = await sink({
      onData: () => {
        dataReached();
        return new Promise(() => undefined);
      },
    });
    const child = await spawnGateway({
      ...database.env,
      MAILGATE_DATA_DIR: temp.dir,
      MAILGATE_LOCAL_DOMAINS: 'example.test',
      MAILGATE_RELAY_URL: `smtp://127.0.0.1:${hanging.port}`,
      MAILGATE_LEASE_SECONDS: '1',
    });
    cleanups.push(() => child.kill());
    await send(child.url, keys, ['reader@remote.test'], 'survives a crash');
    await reached;
    await child.kill();

    const relay = await sink();
    const config = loadConfig({ MAILGATE_DATA_DIR: temp.dir });
    expect(config.dataDir).toBe(temp.dir);
    const second = await gateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, ...database.env }, temp.dir);
    const delivered = await second.nextSettlement((s) => s.status === 'delivered');
    expect(delivered.code).toBe(250);
    expect(relay.messages).toHaveLength(1);
    expect(relay.messages[0]?.raw.toString()).toContain('Subject: survives a crash');
    expect(hanging.messages).toHaveLength(0);
  });
});
