/**
 * Vendor details real clients rely on, each checked against the vendor's wire format (seeds 000 and
 * 003, contracts.md §1.4) at a real SMTP sink: ISO-8859-1 bodies from the seed's Python sample,
 * addresses and header names in the client's case, display names in held lists and tracking, and a
 * complete spamInfo for API sends.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import libmime from 'libmime';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createMimecastKeys, type MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost, type McResponse } from './helpers/mimecast-client.js';
import { startSmtpSink, type SinkMessage, type SmtpSink } from './helpers/smtp-sink.js';
import { waitFor } from './helpers/wait-for.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const fixture = (name: string) => path.join(root, 'test/fixtures/mimecast', name);
const schema = JSON.parse(readFileSync(fixture('get-message-info.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

type Item = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- vendor JSON is walked field by field below
type Json = any;

let sink: SmtpSink;
let gw: TestGateway;
let adele: MimecastKeys;
let admin: MimecastKeys;
let other: MimecastKeys;

beforeAll(async () => {
  sink = await startSmtpSink();
  gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAILGATE_LOCAL_DOMAINS: 'contoso.com' });
  const { store, secrets } = gw.server.gateway;
  await addUser(store, { email: 'AdeleV@contoso.com', name: 'Adele Vance' });
  // Keys are created through a lower-case lookup: matching ignores case, the record keeps it.
  adele = await createMimecastKeys(store, secrets, { email: 'adelev@contoso.com' });
  admin = await gw.user('Admin@contoso.com', ['admin']);
  other = await gw.user('other@contoso.com');
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

/** Runs the seed's Python sample (optionally through the urllib3 1.x body shim) and returns its answer. */
async function runSample(subject: string, latin1: boolean): Promise<{ messageId: string }> {
  const env = {
    ...process.env,
    MC_BASE_URL: gw.url,
    MC_ACCESS_KEY: adele.accessKey,
    MC_SECRET_KEY: adele.secretKey,
    MC_APP_ID: adele.appId,
    MC_APP_KEY: adele.appKey,
    MC_FROM: 'AdeleV@contoso.com',
    MC_SUBJECT: subject,
  };
  const sample = fixture('send_email_sample_latin1_text.py');
  const args = latin1 ? [fixture('urllib3_v1_body.py'), sample] : [sample];
  const { stdout } = await run('python3', args, { env });
  const answer = JSON.parse(stdout) as McResponse['body'];
  expect(answer.fail).toEqual([]);
  return { messageId: answer.data[0]?.messageId as string };
}

async function delivered(subject: string): Promise<{ message: SinkMessage; parsed: ParsedMail }> {
  let found: { message: SinkMessage; parsed: ParsedMail } | undefined;
  await waitFor(async () => {
    for (const message of sink.messages) {
      const parsed = await simpleParser(message.raw);
      if (parsed.subject === subject) found = { message, parsed };
    }
    return found !== undefined;
  }, `a delivered message with subject ${subject}`);
  return found as { message: SinkMessage; parsed: ParsedMail };
}

function send(keys: MimecastKeys, item: Item): Promise<McResponse> {
  return mcPost(gw.url, keys, '/api/email/send-email', JSON.stringify({ data: [item] }));
}

function mc(keys: MimecastKeys, uri: string, data: Item[]): Promise<McResponse> {
  return mcPost(gw.url, keys, uri, JSON.stringify({ data }));
}

async function trackedId(messageId: string): Promise<string> {
  const found = await mc(admin, '/api/message-finder/search', [{ messageId }]);
  const id = (found.body.data[0]?.trackedEmails as Item[] | undefined)?.[0]?.id;
  expect(typeof id).toBe('string');
  return id as string;
}

describe('seed 000 Python sample with text outside ASCII', () => {
  it('sent as urllib3 1.x does (ISO-8859-1 bytes) arrives intact, not as U+FFFD', async () => {
    const subject = 'Grüße aus dem Café (ISO-8859-1)';
    const { messageId } = await runSample(subject, true);
    const { parsed } = await delivered(subject);
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.text?.trim()).toBe('Schöne Grüße aus dem Café, José');
    expect(parsed.html).toContain('<p>Schöne Grüße aus dem Café, José</p>');
    expect(parsed.from?.value).toEqual([{ address: 'AdeleV@contoso.com', name: 'Adèle Vance' }]);
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value).toEqual([{ address: 'reader@remote.test', name: 'Zoë Reader' }]);
    // mailparser leaves unknown headers encoded; the value is an RFC 2047 encoded word.
    expect(libmime.decodeWords(String(parsed.headers.get('x-campaign-id')))).toBe('café-42');
  });

  it('sent as urllib3 2.x does (UTF-8 bytes) arrives just the same', async () => {
    const subject = 'Grüße aus dem Café (UTF-8)';
    await runSample(subject, false);
    const { parsed } = await delivered(subject);
    expect(parsed.text?.trim()).toBe('Schöne Grüße aus dem Café, José');
    expect(parsed.from?.value).toEqual([{ address: 'AdeleV@contoso.com', name: 'Adèle Vance' }]);
  });
});

describe('the case clients wrote', () => {
  it('sends From as the mailbox was created and custom header names as the client spelled them', async () => {
    const subject = 'Case kept';
    const res = await send(adele, {
      to: [{ emailAddress: 'reader@remote.test', displayableName: 'Reader' }],
      subject,
      plainBody: { content: 'hi' },
      extraHeaders: [
        { name: 'X-Campaign-Id', value: 'c-42' },
        { name: 'X-MC-Tag', value: 'tag' },
      ],
    });
    expect(res.body.fail).toEqual([]);
    const { message } = await delivered(subject);
    const raw = message.raw.toString('utf8');
    expect(raw).toMatch(/\r\nFrom: Adele Vance <AdeleV@contoso\.com>\r\n/);
    expect(raw).toMatch(/(^|\r\n)X-Campaign-Id: c-42\r\n/);
    expect(raw).toMatch(/(^|\r\n)X-MC-Tag: tag\r\n/);
    expect(message.mailFrom).toBe('AdeleV@contoso.com');
  });

  it('still matches addresses case-insensitively: lookups, send-as and uniqueness', async () => {
    const { store } = gw.server.gateway;
    expect((await store.getUserByEmail('ADELEV@CONTOSO.COM'))?.email).toBe('AdeleV@contoso.com');
    await expect(addUser(store, { email: 'adelev@contoso.com' })).rejects.toMatchObject({ code: 'conflict' });
    const subject = 'Own address in another case';
    const own = await send(adele, { from: { emailAddress: 'ADELEV@contoso.com', displayableName: 'Adele' }, to: [{ emailAddress: 'reader@remote.test' }], subject, plainBody: { content: 'x' } });
    expect(own.body.fail).toEqual([]);
    await delivered(subject);
  });

  it('refuses another user sending as the mailbox in any case, and queues nothing', async () => {
    const before = await gw.countRows('messages');
    const res = await send(other, { from: { emailAddress: 'adelev@CONTOSO.com', displayableName: 'Not Adele' }, to: [{ emailAddress: 'reader@remote.test' }], subject: 'spoof', plainBody: { content: 'x' } });
    expect(res.body.data).toEqual([]);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_operation_forbidden_for_address');
    expect(await gw.countRows('messages')).toBe(before);
  });
});

async function adminCall(method: string, uri: string, body?: unknown): Promise<{ status: number; body: Item }> {
  const res = await fetch(gw.url + uri, {
    method,
    headers: { ...mcHeaders(admin, uri), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Item) };
}

async function withPolicy<T>(policy: Item, body: () => Promise<T>): Promise<T> {
  const created = await adminCall('POST', '/admin/api/policies', policy);
  expect(created.status).toBe(201);
  try {
    return await body();
  } finally {
    expect((await adminCall('DELETE', `/admin/api/policies/${created.body.id as string}`)).status).toBe(204);
  }
}

describe('display names in vendor responses', () => {
  it('get-hold-message-list and get-held-release-logs carry the sender and recipient names', async () => {
    const policy = { name: 'Review partner mail', kind: 'recipient', routes: ['outbound'], params: { addresses: ['held@remote.test'] } };
    await withPolicy(policy, async () => {
      const subject = 'Names on hold';
      const res = await send(adele, { to: [{ emailAddress: 'held@remote.test', displayableName: 'Held Recipient' }], subject, plainBody: { content: 'x' } });
      expect(res.body.fail).toEqual([]);
      const search = { admin: true, searchBy: { fieldName: 'subject', value: subject } };
      const list = await mc(admin, '/api/gateway/get-hold-message-list', [search]);
      const hold = list.body.data[0] as Json;
      const adeleName = { emailAddress: 'AdeleV@contoso.com', displayableName: 'Adele Vance' };
      const held = { emailAddress: 'held@remote.test', displayableName: 'Held Recipient' };
      expect(hold).toMatchObject({ from: adeleName, fromHeader: adeleName, to: held, toHeader: held });

      const released = await mc(admin, '/api/gateway/hold-release', [{ id: hold.id }]);
      expect(released.body.data).toEqual([{ id: hold.id, release: true }]);
      const logs = await mc(admin, '/api/gateway/get-held-release-logs', [{ searchBy: { fieldName: 'subject', value: subject } }]);
      expect((logs.body.data[0] as Json).toHeader).toEqual(held);
      expect((logs.body.data[0] as Json).fromHeader).toEqual(adeleName);
    });
  });

  it('message-finder search names every recipient, the Bcc one too', async () => {
    const subject = 'Grüße aus dem Café (ISO-8859-1)';
    const { parsed } = await delivered(subject);
    const found = await mc(admin, '/api/message-finder/search', [{ messageId: parsed.messageId as string }]);
    const tracked = (found.body.data[0]?.trackedEmails as Json[])[0];
    expect(tracked.fromHdr).toEqual({ displayableName: 'Adèle Vance', emailAddress: 'AdeleV@contoso.com' });
    expect(tracked.to).toEqual(
      expect.arrayContaining([
        { displayableName: 'Zoë Reader', emailAddress: 'reader@remote.test' },
        { displayableName: "Copy O'Brien", emailAddress: 'copy@remote.test' },
        { displayableName: 'Hidden Jürgen', emailAddress: 'hidden@remote.test' },
      ]),
    );
  });
});

describe('get-message-info for an API send (seed 003)', () => {
  it('answers every spamProcessingDetail key, the HTTP client and the request size', async () => {
    const body = JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject: 'Info for an API send', plainBody: { content: 'x' } }] });
    const sent = await mcPost(gw.url, adele, '/api/email/send-email', body);
    const id = await trackedId(sent.body.data[0]?.messageId as string);
    const info = await mc(admin, '/api/message-finder/get-message-info', [{ id }]);
    expect(validate(info.body), JSON.stringify(validate.errors)).toBe(true);
    const data = info.body.data[0] as Json;
    const detail = data.spamInfo.spamProcessingDetail;
    expect(Object.keys(detail).sort()).toEqual(['dkim', 'dmarc', 'greyEmail', 'managedSender', 'permittedSender', 'rbl', 'spf', 'symbolGroups', 'verdict']);
    for (const check of ['rbl', 'spf', 'dkim', 'dmarc', 'permittedSender', 'managedSender']) {
      expect(Object.keys(detail[check]).sort(), check).toEqual(['allow', 'info']);
      expect(typeof detail[check].allow, check).toBe('boolean');
    }
    expect(detail.spf).toEqual({ allow: true, info: 'not checked' });
    expect(Object.keys(detail.verdict).sort()).toEqual(['categories', 'decision', 'description', 'risk']);
    expect(data.spamInfo.detectionLevel).toBe('moderate');
    const meta = data.recipientInfo.recipientMetaInfo;
    expect(meta.remoteIp).toBe('127.0.0.1');
    expect(meta.transmissionSize).toBe(Buffer.byteLength(body));
  });

  it('reports the detection level of the spam policy in force', async () => {
    const aggressive = { name: 'Aggressive spam', kind: 'spam', routes: ['inbound'], params: { level: 'aggressive' } };
    await withPolicy(aggressive, async () => {
      const sent = await send(adele, { to: [{ emailAddress: 'reader@remote.test' }], subject: 'Level in force', plainBody: { content: 'x' } });
      const info = await mc(admin, '/api/message-finder/get-message-info', [{ id: await trackedId(sent.body.data[0]?.messageId as string) }]);
      expect((info.body.data[0] as Json).spamInfo.detectionLevel).toBe('aggressive');
    });
  });
});
