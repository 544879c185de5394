/**
 * Message tracking end to end: mail sent through the Mimecast API is delivered over real SMTP to a
 * STARTTLS sink that answers as scripted (accept, refuse, defer), then found with message-finder
 * search by each option and explained by get-message-info — the sink's reply text, the TLS the
 * session negotiated, per-recipient outcomes — as JSON that validates against seed 003's schema.
 * The seed's Python sample runs verbatim.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost, type McResponse } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { generateSelfSignedCertificate } from '../src/tls/self-signed.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(path.join(root, 'test/fixtures/mimecast/get-message-info.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

const BANNER = 'sink.remote.test ESMTP tracking sink';
let sink: SmtpSink;
let gw: TestGateway;
let sender: MimecastKeys;
let tracker: MimecastKeys;
let plain: MimecastKeys;

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function upload(content: Buffer): Promise<string> {
  const arg = `{'data':[{'sha256':'${createHash('sha256').update(content).digest('hex')}','fileSize':${content.length}}]}`;
  const res = await mcPost(gw.url, sender, '/api/file/file-upload', content, { 'Content-Type': 'application/octet-stream', 'x-mc-arg': arg });
  expect(res.status).toBe(200);
  return res.body.data[0]?.id as string;
}

/** Sends one message and waits until every recipient is settled for good (delivered or bounced). */
async function send(item: Item): Promise<{ internetMessageId: string; id: string; requestSize: number }> {
  const body = JSON.stringify({ data: [item] });
  const res = await mcPost(gw.url, sender, '/api/email/send-email', body);
  expect(res.body.fail).toEqual([]);
  const internetMessageId = res.body.data[0]?.messageId as string;
  const found = await search({ messageId: internetMessageId });
  const id = (found.body.data[0]?.trackedEmails as Item[] | undefined)?.[0]?.id as string;
  expect(id).toBeTruthy();
  const recipients = [...(item.to ?? []), ...(item.cc ?? []), ...(item.bcc ?? [])].length;
  const store = gw.server.gateway.store;
  // Settlement events may have fired before we knew the id: poll the store until all are final (bounded).
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rs = await store.listRecipients(id);
    const final = rs.length === recipients && rs.every((r) => r.status === 'delivered' || r.status === 'bounced');
    // A bounce is only fully recorded once the sender's notice has been sent (it follows the settlement).
    const noticed = !rs.some((r) => r.status === 'bounced') || (await store.listEvents(id)).some((e) => e.kind === 'notice_sent');
    if (final && noticed) break;
    if (Date.now() > deadline) throw new Error(`message ${id} not settled: ${rs.map((r) => r.status).join(',')}`);
    await new Promise<void>((resolve) => {
      const listener = () => {
        gw.server.gateway.events.off('settled', listener);
        resolve();
      };
      gw.server.gateway.events.on('settled', listener);
      setTimeout(listener, 250).unref();
    });
  }
  return { internetMessageId, id, requestSize: Buffer.byteLength(body) };
}

function search(item: Item, keys = tracker, meta?: Item): Promise<McResponse> {
  return mcPost(gw.url, keys, '/api/message-finder/search', JSON.stringify({ ...(meta ? { meta } : {}), data: [item] }));
}

function info(id: string, keys = tracker): Promise<McResponse> {
  return mcPost(gw.url, keys, '/api/message-finder/get-message-info', JSON.stringify({ data: [{ id }] }));
}

type Sent = Awaited<ReturnType<typeof send>>;
let delivered: Sent;
let mixed: Sent;
let bounced: Sent;
const attachment = randomBytes(2048);

beforeAll(async () => {
  sink = await startSmtpSink({
    tls: await generateSelfSignedCertificate(['localhost'], 1),
    banner: BANNER,
    onRcpt(address) {
      if (address === 'refuse@remote.test') return { code: 550, message: '5.1.1 refuse@remote.test: no such user here' };
      if (address === 'later@remote.test') return { code: 451, message: '4.2.0 mailbox busy, try later' };
      return undefined;
    },
  });
  gw = await startTestGateway({
    MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}?tls=insecure`,
    MAILGATE_RETRY_SCHEDULE: '0.2',
    MAILGATE_QUEUE_LIFETIME_SECONDS: '1',
  });
  sender = await gw.user('sender@example.test');
  tracker = await gw.user('tracker@example.test', ['tracking']);
  plain = await gw.user('plain@example.test');

  delivered = await send({
    from: { emailAddress: 'sender@example.test', displayableName: 'Sender Person' },
    to: [{ emailAddress: 'reader@remote.test', displayableName: 'Remote Reader' }],
    cc: [{ emailAddress: 'copy@remote.test', displayableName: 'Copy Person' }],
    subject: 'Tracked: quarterly numbers',
    plainBody: { content: 'The numbers are attached.' },
    htmlBody: { content: '<p>The numbers are <b>attached</b>.</p>' },
    attachments: [{ id: await upload(attachment), filename: 'numbers.bin' }],
  });
  mixed = await send({
    to: [{ emailAddress: 'reader@remote.test' }, { emailAddress: 'refuse@remote.test' }],
    subject: 'Tracked: mixed outcome',
    plainBody: { content: 'one of you exists' },
  });
  bounced = await send({ to: [{ emailAddress: 'later@remote.test' }], subject: 'Tracked: never accepted', plainBody: { content: 'retry me' } });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('get-message-info', () => {
  it('explains a delivered message from the records: sink reply, STARTTLS, greeting, sizes, components', async () => {
    const res = await info(delivered.id);
    expect(res.status).toBe(200);
    expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
    expect(res.body.fail).toEqual([]);
    const data = res.body.data[0] as Item;
    expect(data.id).toBe(delivered.id);
    expect(data.status).toBe('delivered');

    const mi = data.recipientInfo.messageInfo;
    expect(mi.subject).toBe('Tracked: quarterly numbers');
    expect(mi.fromEnvelope).toBe('sender@example.test');
    expect(mi.fromHeader).toContain('sender@example.test');
    expect(mi.to).toEqual(['reader@remote.test']);
    expect(mi.cc).toEqual(['copy@remote.test']);
    expect(mi.textBody.trim()).toBe('The numbers are attached.');
    expect(mi.htmlBody).toContain('<b>attached</b>');
    expect(mi.sent).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
    expect(mi.transmissionInfo).toBe('Submitted through the mimecast API by sender@example.test');
    expect(mi.attachments).toEqual([expect.objectContaining({ filename: 'numbers.bin', size: attachment.length, component: 2 })]);

    const meta = data.recipientInfo.recipientMetaInfo;
    expect(meta.processingServer).toBe('gateway.test');
    expect(meta.receiptEvent).toBe('accepted');
    // An API submission has no SMTP connection: its peer is the HTTP client, its size the request's.
    expect(meta).toMatchObject({ remoteIp: '127.0.0.1', remoteHost: '', remoteServerGreeting: '', encryptionInfo: '', spamEvent: '' });
    expect(meta.transmissionSize).toBe(delivered.requestSize);
    expect(meta.messageExpiresIn).toBe(30);
    expect(meta.components.map((c: Item) => [c.type, c.name, c.extension])).toEqual([
      ['Email Primary Body Plain Text', 'body.txt', 'txt'],
      ['Email Primary Body HTML', 'body.html', 'html'],
      ['File Attachment', 'numbers.bin', 'bin'],
    ]);
    expect(meta.components[2].size).toBe(attachment.length);

    expect(Object.keys(data.deliveredMessage).sort()).toEqual(['copy@remote.test', 'reader@remote.test']);
    const d = data.deliveredMessage['reader@remote.test'];
    expect(d.messageInfo.route).toBe('outbound');
    expect(d.policyInfo).toEqual([]);
    const dm = d.deliveryMetaInfo;
    expect(dm.emailAddress).toBe('reader@remote.test');
    expect(dm.deliveryEvent).toBe('delivered');
    expect(dm.receiptAcknowledgement).toMatch(/^250 .*Ok: queued as sink-\d+$/);
    expect(dm.remoteServerGreeting).toContain(BANNER);
    expect(dm.encryptionInfo).toMatch(/^TLSv1\.[23] \S+/);
    expect(dm.remoteIp).toBe('127.0.0.1');
    expect(dm.remoteHost).toBe('127.0.0.1');
    const raw = sink.messages.find((m) => m.raw.toString().includes('Tracked: quarterly numbers'))!;
    expect(dm.transmissionSize).toBe(raw.raw.length);
    expect(Date.parse(dm.transmissionEnd.replace('+0000', 'Z'))).toBeGreaterThanOrEqual(Date.parse(dm.transmissionStart.replace('+0000', 'Z')));

    // An API send is not scanned: every seed 003 key is there, each check "not checked".
    expect(data.spamInfo.spamScore).toBe(0);
    expect(data.spamInfo.detectionLevel).toBe('moderate');
    expect(data.spamInfo.spamProcessingDetail.spf).toEqual({ allow: true, info: 'not checked' });

    const r = data.retentionInfo;
    expect(r.retentionAdjustmentDays).toBe(0);
    expect(r.currentPurgeDate).toBe(r.originalPurgeDate);
    expect(Date.parse(r.currentPurgeDate.replace('+0000', 'Z')) - Date.parse(mi.processed.replace('+0000', 'Z'))).toBe(30 * 86_400_000);
    expect(r.purgeBasedOn).toBe('received date + 30 days retention');
    expect(r.litigationHoldInfo).toEqual([]);
    expect(r.audits.at(-1)).toMatchObject({ type: 'viewed', user: 'tracker@example.test' });
  });

  it('gives each recipient of a mixed outcome its own delivery record', async () => {
    const res = await info(mixed.id);
    expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
    const data = res.body.data[0] as Item;
    expect(data.status).toBe('partially_delivered');
    const ok = data.deliveredMessage['reader@remote.test'].deliveryMetaInfo;
    const refused = data.deliveredMessage['refuse@remote.test'].deliveryMetaInfo;
    expect(ok.deliveryEvent).toBe('delivered');
    expect(ok.receiptAcknowledgement).toMatch(/^250 /);
    expect(refused.deliveryEvent).toBe('bounced');
    expect(refused.receiptAcknowledgement).toBe('550 5.1.1 refuse@remote.test: no such user here');
    expect(refused.encryptionInfo).toMatch(/^TLSv1\.[23]/);
  });

  it('reports a message that bounced after its retries ran out', async () => {
    const res = await info(bounced.id);
    const data = res.body.data[0] as Item;
    expect(data.status).toBe('bounced');
    const dm = data.deliveredMessage['later@remote.test'].deliveryMetaInfo;
    expect(dm.deliveryEvent).toBe('bounced');
    expect(dm.receiptAcknowledgement).toBe('451 4.2.0 mailbox busy, try later');
    const recipient = (await gw.server.gateway.store.listRecipients(bounced.id))[0];
    expect(recipient?.attempts).toBeGreaterThanOrEqual(2);
    const events = await gw.server.gateway.store.listEvents(bounced.id);
    expect(events.filter((e) => e.kind === 'deferred').length).toBeGreaterThanOrEqual(1);
    expect(events.find((e) => e.kind === 'bounced')?.detail).toMatchObject({ reason: 'expired' });
    expect(events.some((e) => e.kind === 'notice_sent')).toBe(true);
  });

  it('answers several ids as several calls, with an unknown id in fail', async () => {
    const res = await mcPost(gw.url, tracker, '/api/message-finder/get-message-info', JSON.stringify({ data: [{ id: delivered.id }, { id: 'no-such-message' }] }));
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.fail).toEqual([{ key: { id: 'no-such-message' }, errors: [expect.objectContaining({ code: 'err_xdk_not_found', field: 'id', retryable: false })] }]);
  });

  it('refuses a missing or non-string id per item', async () => {
    const res = await mcPost(gw.url, tracker, '/api/message-finder/get-message-info', JSON.stringify({ data: [{}, { id: 7 }, { id: ' ' }] }));
    expect(res.body.fail.map((f) => f.errors[0]?.code)).toEqual(['err_validation_null', 'err_validation_invalid_type', 'err_validation_blank']);
  });
});

describe('seed 003 Python sample', () => {
  it('runs verbatim (str(payload) body) and gets the complete record', async () => {
    const env = {
      ...process.env,
      MC_BASE_URL: gw.url,
      MC_ACCESS_KEY: tracker.accessKey,
      MC_SECRET_KEY: tracker.secretKey,
      MC_APP_ID: tracker.appId,
      MC_APP_KEY: tracker.appKey,
      MC_MESSAGE_ID: delivered.id,
    };
    const { stdout } = await run('python3', [path.join(root, 'test/fixtures/mimecast/get_message_info_sample.py')], { env });
    const body = JSON.parse(stdout) as McResponse['body'];
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body.meta.status).toBe(200);
    expect(body.fail).toEqual([]);
    expect(body.data[0]).toMatchObject({ id: delivered.id, status: 'delivered' });
    expect((body.data[0] as Item).deliveredMessage['reader@remote.test'].deliveryMetaInfo.receiptAcknowledgement).toMatch(/^250 /);
  });
});

describe('message-finder search', () => {
  const idsOf = (res: McResponse) => ((res.body.data[0]?.trackedEmails ?? []) as Item[]).map((t) => t.id);

  it('finds a message by its Message-ID, with every trackedEmails field', async () => {
    const res = await search({ searchReason: 'incident 7', messageId: delivered.internetMessageId });
    expect(res.status).toBe(200);
    expect(res.body.fail).toEqual([]);
    const [hit] = res.body.data[0]?.trackedEmails as Item[];
    expect(hit).toEqual({
      id: delivered.id,
      status: 'delivered',
      info: 'Delivered',
      fromEnv: { emailAddress: 'sender@example.test' },
      fromHdr: { displayableName: 'Sender Person', emailAddress: 'sender@example.test' },
      to: [
        { displayableName: 'Remote Reader', emailAddress: 'reader@remote.test' },
        { displayableName: 'Copy Person', emailAddress: 'copy@remote.test' },
      ],
      received: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/),
      sent: expect.stringMatching(/\+0000$/),
      subject: 'Tracked: quarterly numbers',
      senderIP: '',
      attachments: true,
      route: 'outbound',
      spamScore: 0,
      detectionLevel: '',
    });
    // Message-IDs are found with or without their angle brackets.
    expect(idsOf(await search({ messageId: delivered.internetMessageId.slice(1, -1) }))).toEqual([delivered.id]);
  });

  it('finds by from, to, subject substring, route and date window; statuses and infos match what happened', async () => {
    const adv = (o: Item) => search({ advancedTrackAndTraceOptions: o });
    expect(idsOf(await adv({ to: 'refuse@remote.test' }))).toEqual([mixed.id]);
    expect(idsOf(await adv({ to: 'REFUSE@remote.test', subject: 'nothing like it' }))).toEqual([]);
    // The failure notice quotes the subject: it is a message of its own, delivered inbound to the sender.
    expect(idsOf(await search({ route: 'outbound', advancedTrackAndTraceOptions: { subject: 'never accepted' } }))).toEqual([bounced.id]);
    const notice = (await search({ route: 'inbound', advancedTrackAndTraceOptions: { subject: 'never accepted', to: 'sender@example.test' } })).body.data[0]?.trackedEmails as Item[];
    expect(notice.map((t) => [t.fromEnv.emailAddress, t.status, t.subject])).toEqual([['', 'delivered', expect.stringContaining('[Message delivery failed]')]]);
    const fromSender = idsOf(await adv({ from: 'sender@example.test' }));
    expect(fromSender.slice(0, 3)).toEqual([bounced.id, mixed.id, delivered.id]);
    expect(idsOf(await adv({ senderIP: '192.0.2.55' }))).toEqual([]);
    const inbound = (await search({ route: 'inbound', advancedTrackAndTraceOptions: { subject: 'Tracked:' } })).body.data[0]?.trackedEmails as Item[];
    expect(inbound.map((t) => t.route)).toEqual(['inbound', 'inbound']);
    const outbound = (await search({ route: 'outbound', advancedTrackAndTraceOptions: { subject: 'Tracked:' } })).body.data[0]?.trackedEmails as Item[];
    expect(outbound.map((t) => [t.id, t.status])).toEqual([
      [bounced.id, 'bounced'],
      [mixed.id, 'partially_delivered'],
      [delivered.id, 'delivered'],
    ]);
    expect(outbound[0]?.info).toBe('Bounced: 451 4.2.0 mailbox busy, try later');
    expect(outbound[1]?.info).toBe('Delivered to 1 of 2 recipients');

    const past = new Date(Date.now() - 3 * 86_400_000).toISOString().replace(/\.\d+Z$/, '+0000');
    const earlier = new Date(Date.now() - 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, '+0000');
    expect(idsOf(await search({ start: past, end: earlier }))).toEqual([]);
    expect(idsOf(await search({ start: past, route: 'outbound', advancedTrackAndTraceOptions: { subject: 'Tracked:' } }))).toHaveLength(3);
  });

  it('pages newest first with meta.pagination and a next token', async () => {
    const item = { route: 'outbound', advancedTrackAndTraceOptions: { subject: 'Tracked:' } };
    const first = await search(item, tracker, { pagination: { pageSize: 2 } });
    expect(first.body.meta).toMatchObject({ status: 200, pagination: { pageSize: 2, totalCount: 3 } });
    const next = (first.body.meta as Item).pagination.next as string;
    expect(next).toBeTruthy();
    const second = await search(item, tracker, { pagination: { page_size: 2, pageToken: next } });
    expect([...idsOf(first), ...idsOf(second)]).toEqual([bounced.id, mixed.id, delivered.id]);
    expect((second.body.meta as Item).pagination.next).toBeUndefined();
  });

  it('refuses malformed dates, start after end, bad routes and foreign page tokens in fail, with the field', async () => {
    const cases: Array<[Item, string, string]> = [
      [{ start: 'yesterday' }, 'err_validation_invalid_value', 'start'],
      [{ end: '2024-02-30T00:00:00+0000' }, 'err_validation_invalid_value', 'end'],
      [{ start: 20240101 }, 'err_validation_invalid_type', 'start'],
      [{ start: '2024-01-02T00:00:00+0000', end: '2024-01-01T00:00:00+0000' }, 'err_validation_invalid_value', 'start'],
      [{ route: 'sideways' }, 'err_validation_invalid_value', 'route'],
      [{ advancedTrackAndTraceOptions: 'x' }, 'err_validation_invalid_type', 'advancedTrackAndTraceOptions'],
    ];
    for (const [item, code, field] of cases) {
      const res = await search(item);
      expect(res.status, JSON.stringify(item)).toBe(200);
      expect(res.body.data).toEqual([]);
      expect(res.body.fail).toEqual([{ key: item, errors: [expect.objectContaining({ code, field })] }]);
    }
    const token = await search({}, tracker, { pagination: { pageToken: 'not-ours' } });
    expect(token.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_invalid_value', field: 'pageToken' });
  });
});

describe('get-file', () => {
  const getFile = (item: Item, keys = tracker) =>
    fetch(gw.url + '/api/gateway/message/get-file', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...mcHeaders(keys, '/api/gateway/message/get-file') },
      body: JSON.stringify({ data: [item] }),
    });

  it('downloads a component of a message as bytes, with its type and file name', async () => {
    const res = await getFile({ id: delivered.id, component: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toContain('filename="numbers.bin"');
    expect(Buffer.from(await res.arrayBuffer()).equals(attachment)).toBe(true);
    const text = await getFile({ id: delivered.id, component: '0' });
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await text.text()).trim()).toBe('The numbers are attached.');
  });

  it('answers the envelope with the failing field for unknown messages, components and bad positions', async () => {
    for (const [item, field] of [
      [{ id: 'nope', component: 0 }, 'id'],
      [{ id: delivered.id, component: 9 }, 'component'],
      [{ id: delivered.id, component: -1 }, 'component'],
      [{ id: delivered.id }, 'component'],
    ] as const) {
      const res = await getFile(item);
      const body = (await res.json()) as McResponse['body'];
      expect(body.fail[0]?.errors[0]?.field, JSON.stringify(item)).toBe(field);
    }
  });
});

describe('permissions', () => {
  it.each(['/api/message-finder/search', '/api/message-finder/get-message-info', '/api/gateway/message/get-file'])(
    '%s needs Gateway | Tracking | Read: 403 envelope otherwise',
    async (uri) => {
      const res = await mcPost(gw.url, plain, uri, JSON.stringify({ data: [{ id: delivered.id, component: 0 }] }));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        meta: { status: 403 },
        data: [],
        fail: [{ errors: [expect.objectContaining({ code: 'err_xdk_forbidden', retryable: false })] }],
      });
    },
  );
});
