/**
 * /metrics end to end: real traffic (a Mimecast send, an SMTP send, deliveries to a real SMTP sink
 * and to a local mailbox, a deferral, refusals) moves the right counters by the right amounts, the
 * queue gauges are read from the store at scrape time, and the scrape is guarded (loopback only by
 * default, a bearer token when MAILGATE_METRICS_TOKEN is set).
 */
import nodemailer from 'nodemailer';
import { Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type MimecastKeys } from '../src/auth/identity.js';
import { setUserPassword } from '../src/auth/passwords.js';
import type { Settlement } from '../src/core/storage/store.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';
import { sample, scrape } from './helpers/prometheus.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { waitFor } from './helpers/wait-for.js';

let gw: TestGateway;
let relay: SmtpSink;
let keys: MimecastKeys;
const settled: Settlement[] = [];

/** Waits until the message's recipient settled with `status`. */
function settledAs(messageId: string, status: Settlement['status']): Promise<void> {
  return waitFor(() => settled.some((s) => s.messageId === messageId && s.status === status), `${messageId} ${status}`);
}

/** Our message id, from the `<id@host>` Message-ID a Mimecast send answers with. */
const idOf = (internetMessageId: unknown) => String(internetMessageId).slice(1, String(internetMessageId).indexOf('@'));

beforeAll(async () => {
  // The relay defers anything whose subject asks for it, for an hour: it stays in the queue.
  relay = await startSmtpSink({ onData: (m) => (m.raw.includes('Subject: defer me') ? { code: 451, message: '4.3.0 later' } : undefined) });
  gw = await startTestGateway({
    MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
    MAILGATE_RETRY_SCHEDULE: '3600',
    // Inbound SMTP mail is checked against DNS: a closed port answers at once.
    MAILGATE_DNS_SERVERS: '127.0.0.1:9',
  });
  gw.server.gateway.events.on('settled', (s) => settled.push(s));
  keys = await gw.user('sender@example.test');
  await addUser(gw.server.gateway.store, { email: 'alice@example.test' });
});

afterAll(async () => {
  await gw?.stop();
  await relay?.close();
});

function mimecastSend(to: string, subject: string) {
  return mcPost(
    gw.url,
    keys,
    '/api/email/send-email',
    JSON.stringify({ data: [{ to: [{ emailAddress: to }], subject, plainBody: { content: 'body' } }] }),
  );
}

function smtpSend(from: string, to: string): Promise<{ response: string }> {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: gw.server.smtpPort, secure: false, name: 'client.ops.test', tls: { rejectUnauthorized: false } });
  return client.sendMail({ from, to, subject: 'inbound', text: 'hello' }) as Promise<{ response: string }>;
}

describe('/metrics after real traffic', () => {
  it('counts acceptances, deliveries, deferrals, refusals, SMTP replies and auth failures by the right amounts', async () => {
    const before = await scrape(gw.url);
    const out = { route: 'outbound', dialect: 'mimecast' };
    const inbound = { route: 'inbound', dialect: 'smtp' };

    const sent = await mimecastSend('reader@remote.test', 'metrics');
    expect(sent.status).toBe(200);
    expect(sent.body.fail).toEqual([]);
    await settledAs(idOf(sent.body.data[0]?.messageId), 'delivered');

    const later = await mimecastSend('later@remote.test', 'defer me');
    expect(later.body.fail).toEqual([]);
    await settledAs(idOf(later.body.data[0]?.messageId), 'deferred');

    const smtp = await smtpSend('someone@remote.test', 'alice@example.test');
    const smtpId = /queued as (\S+)/.exec(smtp.response)?.[1] as string;
    expect(smtpId).toBeTruthy();
    await settledAs(smtpId, 'delivered');
    expect((await gw.server.gateway.store.getMessage(smtpId))?.route).toBe('inbound');

    // A refused item (bad address) and a request with a bad signature.
    const refused = await mimecastSend('not an address', 'refused');
    expect(refused.body.fail).toHaveLength(1);
    const forged = await mcPost(gw.url, { ...keys, secretKey: Buffer.from('wrong secret').toString('base64') }, '/api/email/send-email', '{"data":[]}');
    expect(forged.status).toBe(401);

    const after = await scrape(gw.url);
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('mailgate_messages_total', { event: 'accepted', ...out })).toBe(2);
    expect(moved('mailgate_messages_total', { event: 'accepted', ...inbound })).toBe(1);
    expect(moved('mailgate_messages_total', { event: 'rejected', route: 'none', dialect: 'mimecast' })).toBe(1);
    expect(moved('mailgate_deliveries_total', { outcome: 'delivered', ...out, transport: 'relay' })).toBe(1);
    expect(moved('mailgate_deliveries_total', { outcome: 'deferred', ...out, transport: 'relay' })).toBe(1);
    expect(moved('mailgate_deliveries_total', { outcome: 'delivered', ...inbound, transport: 'local' })).toBe(1);
    expect(moved('mailgate_deliveries_total', { outcome: 'bounced', ...out, transport: 'relay' })).toBe(0);
    expect(moved('mailgate_delivery_attempt_duration_seconds_count', { transport: 'relay' })).toBe(2);
    expect(moved('mailgate_delivery_attempt_duration_seconds_count', { transport: 'local' })).toBe(1);
    expect(moved('mailgate_accept_duration_seconds_count', { dialect: 'mimecast', result: 'accepted' })).toBe(2);
    expect(moved('mailgate_accept_duration_seconds_count', { dialect: 'smtp', result: 'accepted' })).toBe(1);
    for (const command of ['CONNECT', 'MAIL', 'RCPT', 'DATA']) expect(moved('mailgate_smtp_replies_total', { command, class: '2xx' })).toBe(1);
    expect(moved('mailgate_auth_failures_total', { way: 'mimecast' })).toBe(1);
    expect(moved('mailgate_http_request_duration_seconds_count', { method: 'POST', route: '/api/email/send-email', status_class: '2xx' })).toBe(3);
    expect(moved('mailgate_http_request_duration_seconds_count', { method: 'POST', route: '/api/email/send-email', status_class: '4xx' })).toBe(1);
    expect(moved('mailgate_store_operation_duration_seconds_count', { operation: 'acceptMessage' })).toBe(3);

    // Read from the store at scrape time: the deferred recipient waits, nothing else does.
    expect(sample(after, 'mailgate_queue_depth', { state: 'deferred' })).toBe(1);
    expect(sample(after, 'mailgate_queue_depth', { state: 'queued' })).toBe(0);
    expect(sample(after, 'mailgate_queue_oldest_age_seconds')).toBeGreaterThan(0);
    // prom-client's process metrics, on this gateway's own registry.
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(after).toMatch(/^process_cpu_user_seconds_total \d/m);
  });

  it('counts held messages, releases and rejections, and reads the held queue depth', async () => {
    const before = await scrape(gw.url);
    const inbound = { route: 'inbound', dialect: 'smtp' };
    // SpamAssassin's test string: the default spam policy holds it.
    const gtube = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: gw.server.smtpPort, secure: false, tls: { rejectUnauthorized: false } });
      const info = (await client.sendMail({ from: 'spam@remote.test', to: 'alice@example.test', subject: 'held', text: gtube })) as { response: string };
      ids.push(/queued as (\S+)/.exec(info.response)?.[1] as string);
    }
    const [released, rejected] = ids as [string, string];
    expect(sample(await scrape(gw.url), 'mailgate_queue_depth', { state: 'held' })).toBe(2);
    expect(await gw.server.gateway.held.release(released, 'ops@example.test')).toBe('done');
    expect(await gw.server.gateway.held.reject(rejected, { operator: 'ops@example.test', notify: false })).toBe('done');

    const after = await scrape(gw.url);
    const moved = (event: string) => sample(after, 'mailgate_messages_total', { event, ...inbound }) - sample(before, 'mailgate_messages_total', { event, ...inbound });
    expect(moved('accepted')).toBe(2);
    expect(moved('held')).toBe(2);
    expect(moved('released')).toBe(1);
    expect(moved('rejected')).toBe(1);
    expect(sample(after, 'mailgate_queue_depth', { state: 'held' })).toBe(0);
  });

  it('counts a wrong SMTP AUTH password as an auth failure and a 5xx AUTH reply', async () => {
    const { store } = gw.server.gateway;
    const bob = await addUser(store, { email: 'bob@example.test' });
    await setUserPassword(store, bob.id, 'correct horse battery');
    const before = await scrape(gw.url);
    const client = nodemailer.createTransport({
      host: '127.0.0.1',
      port: gw.server.smtpPort,
      secure: false,
      tls: { rejectUnauthorized: false },
      auth: { user: 'bob@example.test', pass: 'wrong horse' },
    });
    await expect(client.verify()).rejects.toThrow(/535/);
    const after = await scrape(gw.url);
    expect(sample(after, 'mailgate_auth_failures_total', { way: 'smtp' }) - sample(before, 'mailgate_auth_failures_total', { way: 'smtp' })).toBe(1);
    expect(sample(after, 'mailgate_smtp_replies_total', { command: 'AUTH', class: '5xx' }) - sample(before, 'mailgate_smtp_replies_total', { command: 'AUTH', class: '5xx' })).toBe(1);
  });

  it('runs collectors registered by other parts at scrape time, and survives one that fails', async () => {
    const { metrics } = gw.server.gateway;
    // A gauge of the test's own: the real ones (the webhook backlog, the queue) have their collectors already.
    const gauge = new Gauge({ name: 'mailgate_test_collected', help: 'set by a test collector', registers: [metrics.registry] });
    let backlog = 0;
    metrics.onScrape(() => gauge.set(backlog));
    metrics.onScrape(() => {
      throw new Error('outbox unreadable');
    });
    backlog = 7;
    const first = await scrape(gw.url);
    expect(sample(first, 'mailgate_test_collected')).toBe(7);
    backlog = 2;
    const second = await scrape(gw.url);
    expect(sample(second, 'mailgate_test_collected')).toBe(2);
    expect(sample(second, 'mailgate_metrics_collector_errors_total') - sample(first, 'mailgate_metrics_collector_errors_total')).toBe(1);
  });
});

describe('who may scrape', () => {
  it('without MAILGATE_METRICS_TOKEN: loopback clients only', async () => {
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(200);
    expect((await gw.tlsFetch(`${gw.httpsUrl}/metrics`)).status).toBe(200);
    const remote = await gw.server.http.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.10' });
    expect(remote.statusCode).toBe(403);
    expect(remote.body).not.toContain('mailgate_messages_total');
  });

  it('with MAILGATE_METRICS_TOKEN: the bearer token from anywhere, nothing without it', async () => {
    const guarded = await startTestGateway({ MAILGATE_METRICS_TOKEN: 'scrape-token-123' });
    try {
      const none = await fetch(`${guarded.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await none.text()).not.toContain('mailgate_');
      const wrong = await fetch(`${guarded.url}/metrics`, { headers: { Authorization: 'Bearer scrape-token-124' } });
      expect(wrong.status).toBe(401);
      const basic = await fetch(`${guarded.url}/metrics`, { headers: { Authorization: 'Basic scrape-token-123' } });
      expect(basic.status).toBe(401);
      expect(sample(await scrape(guarded.url, { Authorization: 'Bearer scrape-token-123' }), 'mailgate_queue_depth', { state: 'queued' })).toBe(0);
      const remote = await guarded.server.http.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '192.0.2.10',
        headers: { authorization: 'Bearer scrape-token-123' },
      });
      expect(remote.statusCode).toBe(200);
      expect(remote.body).toContain('mailgate_messages_total');
    } finally {
      await guarded.stop();
    }
  });
});

describe('two gateways in one process', () => {
  it('keep separate registries', async () => {
    const other = await startTestGateway();
    try {
      expect((await mimecastSend('reader@remote.test', 'only on the first')).body.fail).toEqual([]);
      expect(sample(await scrape(gw.url), 'mailgate_messages_total', { event: 'accepted', route: 'outbound', dialect: 'mimecast' })).toBeGreaterThan(0);
      expect(sample(await scrape(other.url), 'mailgate_messages_total', { event: 'accepted', route: 'outbound', dialect: 'mimecast' })).toBe(0);
    } finally {
      await other.stop();
    }
  });
});
