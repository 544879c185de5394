/**
 * The operator's log lines (docs/operations-logs.md), read from a real pino stream: one access
 * line per HTTP request with no secret in it, one line per SMTP transaction and per session end,
 * and the same message id on the HTTP or SMTP line and on the delivery line.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type MimecastKeys } from '../src/auth/identity.js';
import { setUserPassword } from '../src/auth/passwords.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { captureLogs, type LogCapture } from './helpers/log-capture.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { waitFor } from './helpers/wait-for.js';

type Line = Record<string, unknown>;

let gw: TestGateway;
let relay: SmtpSink;
let logs: LogCapture;
let keys: MimecastKeys;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  relay = await startSmtpSink();
  logs = captureLogs();
  gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, MAILGATE_DNS_SERVERS: '127.0.0.1:9' }, undefined, undefined, { log: logs.log });
  keys = await gw.user('sender@example.test');
  const bob = await addUser(gw.server.gateway.store, { email: 'bob@example.test' });
  await setUserPassword(gw.server.gateway.store, bob.id, PASSWORD);
});

afterAll(async () => {
  await gw?.stop();
  await relay?.close();
});

async function lineWhere(what: string, match: (line: Line) => boolean): Promise<Line> {
  await waitFor(() => logs.lines().some(match), what);
  return logs.lines().find(match) as Line;
}

const deliveryOf = (messageId: string) => lineWhere(`the delivery line of ${messageId}`, (l) => l.messageId === messageId && l.status === 'delivered');

describe('HTTP access log', () => {
  it('writes one line per request with method, route, status, duration, principal, request id and the accepted message id', async () => {
    const uri = '/api/email/send-email';
    const body = JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject: 'subject not logged', plainBody: { content: 'body not logged' } }] });
    const headers = mcHeaders(keys, uri);
    const res = await fetch(gw.url + uri, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    expect(res.status).toBe(200);
    const sent = ((await res.json()) as { data: Array<{ messageId: string }> }).data[0]?.messageId as string;
    const id = sent.slice(1, sent.indexOf('@'));

    const access = logs.lines().filter((l) => l.msg === 'http request' && l.route === uri);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ level: 30, method: 'POST', route: uri, status: 200, ip: '127.0.0.1', principal: expect.any(String), messageIds: [id] });
    expect(access[0]?.reqId).toEqual(expect.any(String));
    expect(access[0]?.ms).toEqual(expect.any(Number));
    // The principal is the sending user's id, never a credential.
    expect(access[0]?.principal).toBe((await gw.server.gateway.store.getUserByEmail('sender@example.test'))?.id);

    // The same id on the delivery line: the message can be followed from the request to the relay.
    expect(await deliveryOf(id)).toMatchObject({ messageId: id, status: 'delivered', transport: 'relay' });

    const text = logs.text();
    for (const secret of [headers.Authorization as string, keys.secretKey, keys.accessKey, 'subject not logged', 'body not logged']) expect(text).not.toContain(secret);
  });

  it('never logs Authorization or cookie values, and logs unmatched routes by a fixed name', async () => {
    const headers = { Authorization: 'Bearer bearer-value-never-logged', Cookie: 'session=cookie-value-never-logged' };
    expect((await fetch(`${gw.url}/livez?token=query-value-never-logged`, { headers })).status).toBe(200);
    expect((await fetch(`${gw.url}/no/such/page`, { headers })).status).toBe(404);
    const live = logs.lines().filter((l) => l.msg === 'http request' && l.route === '/livez');
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ method: 'GET', status: 200 });
    expect(live[0]).not.toHaveProperty('principal');
    expect(logs.lines().some((l) => l.msg === 'http request' && l.route === '(unmatched)' && l.status === 404)).toBe(true);
    const text = logs.text();
    for (const secret of ['bearer-value-never-logged', 'cookie-value-never-logged', 'query-value-never-logged']) expect(text).not.toContain(secret);
  });

  it('logs the refused request of a bad signature with its status', async () => {
    const forged = await mcPost(gw.url, { ...keys, secretKey: Buffer.from('wrong').toString('base64') }, '/api/account/get-account', '{"data":[]}');
    expect(forged.status).toBe(401);
    const line = await lineWhere('the refused request', (l) => l.msg === 'http request' && l.route === '/api/account/get-account');
    expect(line).toMatchObject({ method: 'POST', status: 401 });
    expect(line).not.toHaveProperty('principal');
  });
});

describe('SMTP session and transaction lines', () => {
  it('logs each transaction and the session end with client, HELO, AUTH identity, envelope, size, reply and queue id', async () => {
    const client = nodemailer.createTransport({
      host: '127.0.0.1',
      port: gw.server.smtpPort,
      secure: false,
      name: 'client.ops.test',
      tls: { rejectUnauthorized: false },
      auth: { user: 'bob@example.test', pass: PASSWORD },
    });
    const info = (await client.sendMail({ from: 'bob@example.test', to: ['one@remote.test', 'two@remote.test'], subject: 'smtp log', text: 'hello' })) as {
      response: string;
    };
    const id = /queued as (\S+)/.exec(info.response)?.[1] as string;
    expect(id).toBeTruthy();

    const transaction = await lineWhere('the transaction line', (l) => l.msg === 'smtp transaction' && l.messageId === id);
    expect(transaction).toMatchObject({
      level: 30,
      ip: '127.0.0.1',
      helo: 'client.ops.test',
      user: 'bob@example.test',
      mailFrom: 'bob@example.test',
      recipients: 2,
      code: 250,
      reply: `2.0.0 Ok: queued as ${id}`,
    });
    expect(transaction.size).toBeGreaterThan(100);
    const session = await lineWhere('the session line', (l) => l.msg === 'smtp session closed' && l.session === transaction.session);
    expect(session).toMatchObject({ ip: '127.0.0.1', helo: 'client.ops.test', user: 'bob@example.test', tls: true, accepted: 1, refused: 0 });
    expect(await deliveryOf(id)).toMatchObject({ messageId: id });
    expect(logs.text()).not.toContain(PASSWORD);
  });

  it('logs a refused transaction with its reply and no queue id', async () => {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: gw.server.smtpPort, secure: false, name: 'refused.ops.test', tls: { rejectUnauthorized: false } });
    // A line longer than 998 octets is refused (RFC 5322 2.1.1).
    const raw = Buffer.from(`From: someone@remote.test\r\nTo: bob@example.test\r\nSubject: long\r\n\r\n${'x'.repeat(2000)}\r\n`);
    await expect(client.sendMail({ envelope: { from: 'someone@remote.test', to: ['bob@example.test'] }, raw })).rejects.toThrow(/^.*5\d\d/);
    const transaction = await lineWhere('the refused transaction line', (l) => l.msg === 'smtp transaction' && l.helo === 'refused.ops.test');
    expect(transaction).toMatchObject({ ip: '127.0.0.1', user: null, mailFrom: 'someone@remote.test', recipients: 1 });
    expect(Number(transaction.code)).toBeGreaterThanOrEqual(500);
    expect(transaction).not.toHaveProperty('messageId');
    const session = await lineWhere('the session line', (l) => l.msg === 'smtp session closed' && l.session === transaction.session);
    expect(session).toMatchObject({ accepted: 0, refused: 1 });
  });
});
