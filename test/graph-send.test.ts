/**
 * Graph sendMail, drafts and Sent Items over real HTTP, written from seed 002 and contracts.md §2:
 * saveToSentItems, the Sent Items listing and reads, the send-as rule, and each documented error.
 */
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';

let f: GraphFixture;
let token: string;
const ALICE = 'alice@example.test';
const to = [{ emailAddress: { address: 'reader@remote.test', name: 'Reader' } }];

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string; message: string; innerError: Record<string, string> } };
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${f.gw.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : { text } };
}

async function sentSubjects(): Promise<string[]> {
  const page = await call('GET', '/v1.0/me/mailFolders/sentitems/messages?$top=1000&$select=subject');
  return (page.body.value as Array<{ subject: string }>).map((m) => m.subject);
}

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  const inner = answer.body.error?.innerError ?? {};
  expect(Object.keys(inner).sort()).toEqual(['client-request-id', 'date', 'request-id']);
  expect(inner.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(inner['request-id']).toBe(answer.headers.get('request-id'));
}

beforeAll(async () => {
  f = await startGraphFixture();
  await f.user(ALICE, { name: 'Alice Example' });
  const app = await f.app([]);
  token = await f.userToken(app, ALICE, 'Mail.Send Mail.ReadWrite');
});

afterAll(async () => {
  await f?.stop();
});

describe('saveToSentItems', () => {
  it('files a copy by default and with true; not with false or the string "false" (seed 002 example 1)', async () => {
    for (const [subject, save] of [['default', undefined], ['true', true], ['false', false], ['string false', 'false'], ['string TRUE', 'TRUE']] as const) {
      const answer = await call('POST', '/v1.0/me/sendMail', { message: { subject, toRecipients: to }, ...(save === undefined ? {} : { saveToSentItems: save }) });
      expect(answer.status).toBe(202);
      expect(answer.body.text).toBe('');
    }
    const subjects = await sentSubjects();
    expect(subjects).toEqual(expect.arrayContaining(['default', 'true', 'string TRUE']));
    expect(subjects).not.toContain('false');
    expect(subjects).not.toContain('string false');
    expectError(await call('POST', '/v1.0/me/sendMail', { message: { subject: 'x', toRecipients: to }, saveToSentItems: 'maybe' }), 400, 'RequestBodyRead');
  });

  it('accepts the seed\'s PascalCase parameters and example 6 (message properties at the top level)', async () => {
    expect((await call('POST', '/beta/me/sendMail', { Message: { subject: 'pascal', toRecipients: to }, SaveToSentItems: false })).status).toBe(202);
    const flagged = {
      subject: 'Please respond by Friday',
      toRecipients: to,
      flag: { flagStatus: 'flagged', dueDateTime: { dateTime: '2023-09-01T17:00:00', timeZone: 'Eastern Standard Time' } },
    };
    expect((await call('POST', '/beta/me/sendMail', flagged)).status).toBe(202);
    const page = await call('GET', '/v1.0/me/mailFolders/SentItems/messages?$top=1');
    const [latest] = page.body.value as Array<Record<string, unknown>>;
    expect(latest).toMatchObject({ subject: 'Please respond by Friday', flag: flagged.flag, isDraft: false, parentFolderId: 'sentitems' });
    expect(await sentSubjects()).not.toContain('pascal');
  });
});

describe('Sent Items', () => {
  it('lists newest first with $top, $skip, $select and @odata.nextLink; reads one message and its MIME', async () => {
    for (let i = 0; i < 3; i++) {
      const body = { contentType: 'HTML', content: `<p>page item ${i}</p>` };
      await call('POST', '/v1.0/me/sendMail', { message: { subject: `page ${i}`, body, toRecipients: to, categories: ['Blue'], importance: 'low' } });
    }
    const first = await call('GET', '/v1.0/me/mailFolders/sentitems/messages?$top=2&$select=subject,importance');
    expect(first.status).toBe(200);
    const value = first.body.value as Array<Record<string, unknown>>;
    expect(value.map((m) => m.subject)).toEqual(['page 2', 'page 1']);
    expect(Object.keys(value[0] as object).sort()).toEqual(['@odata.etag', 'id', 'importance', 'subject']);
    expect(value[0]?.importance).toBe('low');
    const next = new URL(first.body['@odata.nextLink'] as string);
    expect(next.searchParams.get('$skip')).toBe('2');
    const second = await call('GET', next.pathname + next.search);
    expect((second.body.value as Array<{ subject: string }>)[0]?.subject).toBe('page 0');

    const id = (value[0] as { id: string }).id;
    const one = await call('GET', `/v1.0/me/messages/${id}`);
    expect(one.body).toMatchObject({
      id,
      subject: 'page 2',
      isDraft: false,
      isRead: true,
      categories: ['Blue'],
      body: { contentType: 'html' },
      from: { emailAddress: { address: ALICE, name: 'Alice Example' } },
      toRecipients: [{ emailAddress: { address: 'reader@remote.test', name: 'Reader' } }],
      bodyPreview: 'page item 2',
    });
    expect((one.body.body as { content: string }).content).toContain('<p>page item 2</p>');
    expect(one.body.internetMessageId).toMatch(/^<.+@gateway\.test>$/);

    const mime = await fetch(`${f.gw.url}/v1.0/me/messages/${id}/$value`, { headers: { Authorization: `Bearer ${token}` } });
    const parsed = await simpleParser(Buffer.from(await mime.arrayBuffer()));
    expect(parsed.subject).toBe('page 2');
    expect(parsed.messageId).toBe(one.body.internetMessageId);
    expectError(await call('GET', '/v1.0/me/messages/no-such-message'), 404, 'ErrorItemNotFound');
    expectError(await call('GET', '/v1.0/me/mailFolders/archive/messages'), 404, 'ErrorItemNotFound');
  });
});

describe('send-as', () => {
  it('refuses a from address the user may not send as with 403 ErrorSendAsDenied; accepts a delegated one', async () => {
    const other = { emailAddress: { address: 'ceo@example.test' } };
    expectError(await call('POST', '/v1.0/me/sendMail', { message: { subject: 'spoof', from: other, toRecipients: to } }), 403, 'ErrorSendAsDenied');
    expectError(await call('POST', '/v1.0/me/messages', { subject: 'spoof', from: other, toRecipients: to }), 403, 'ErrorSendAsDenied');
    const mime = Buffer.from('From: ceo@example.test\r\nTo: reader@remote.test\r\nSubject: spoof\r\n\r\nbody\r\n').toString('base64');
    expectError(await call('POST', '/v1.0/me/sendMail', mime), 403, 'ErrorSendAsDenied');

    const alice = await f.gw.server.gateway.store.getUserByEmail(ALICE);
    await f.gw.server.gateway.store.addDelegation(alice?.id as string, 'team@example.test');
    const before = f.sink.messages.length;
    const team = { emailAddress: { address: 'team@example.test', name: 'Team' } };
    expect((await call('POST', '/v1.0/me/sendMail', { message: { subject: 'as team', from: team, toRecipients: to } })).status).toBe(202);
    const delivered = await f.sink.waitForMessages(before + 1);
    const mail = await simpleParser((delivered.find((m) => m.raw.includes('as team')) ?? delivered[before])?.raw as Buffer);
    expect(mail.from?.value[0]).toMatchObject({ address: 'team@example.test', name: 'Team' });
  });
});

describe('bad input', () => {
  it('invalid base64 MIME: 400 ErrorMimeContentInvalidBase64String with the seed\'s message', async () => {
    const answer = await call('POST', '/v1.0/me/sendMail', 'this is not base64!');
    expectError(answer, 400, 'ErrorMimeContentInvalidBase64String');
    expect(answer.body.error?.message).toBe('Invalid base64 string for MIME content.');
  });

  it('MIME without recipients: 400 ErrorInvalidRecipients', async () => {
    const mime = Buffer.from('From: alice@example.test\r\nSubject: nobody\r\n\r\nbody\r\n').toString('base64');
    expectError(await call('POST', '/v1.0/me/sendMail', mime), 400, 'ErrorInvalidRecipients');
  });

  it('base64 of something that is not a message: 400', async () => {
    expectError(await call('POST', '/v1.0/me/sendMail', Buffer.from('no header block at all').toString('base64')), 400, 'ErrorMimeContentInvalidBase64String');
  });

  it('a malformed recipient address: 400 ErrorInvalidRecipients', async () => {
    const answer = await call('POST', '/v1.0/me/sendMail', { message: { subject: 'x', toRecipients: [{ emailAddress: { address: 'not an address' } }] } });
    expectError(answer, 400, 'ErrorInvalidRecipients');
  });

  it('no recipients at all, and more than 500: 400', async () => {
    expectError(await call('POST', '/v1.0/me/sendMail', { message: { subject: 'x' } }), 400, 'ErrorInvalidRecipients');
    const many = Array.from({ length: 501 }, (_, i) => ({ emailAddress: { address: `r${i}@remote.test` } }));
    expectError(await call('POST', '/v1.0/me/sendMail', { message: { subject: 'x', toRecipients: many } }), 400, 'ErrorTooManyRecipients');
  });

  it('more than 5 internetMessageHeaders: 400 InvalidInternetMessageHeaderCollection', async () => {
    const headers = Array.from({ length: 6 }, (_, i) => ({ name: `x-h${i}`, value: 'v' }));
    const answer = await call('POST', '/v1.0/me/sendMail', { message: { subject: 'x', toRecipients: to, internetMessageHeaders: headers } });
    expectError(answer, 400, 'InvalidInternetMessageHeaderCollection');
    expect(answer.body.error?.message).toBe('Maximum number of headers in one message should be less than or equal to 5.');
  });

  it('a header not starting with x-: 400 ErrorInvalidInternetMessageHeader', async () => {
    const answer = await call('POST', '/v1.0/me/sendMail', {
      message: { subject: 'x', toRecipients: to, internetMessageHeaders: [{ name: 'Received', value: 'forged' }] },
    });
    expectError(answer, 400, 'ErrorInvalidInternetMessageHeader');
  });

  it('an inline attachment of 3 MB or more: 400 ErrorMessageSizeExceeded; a request over the body limit too', async () => {
    const attachment = { '@odata.type': '#microsoft.graph.fileAttachment', name: 'big.bin', contentBytes: randomBytes(3 * 1024 * 1024).toString('base64') };
    expectError(await call('POST', '/v1.0/me/sendMail', { message: { subject: 'x', toRecipients: to, attachments: [attachment] } }), 400, 'ErrorMessageSizeExceeded');
    const huge = { message: { subject: 'x', toRecipients: to, body: { content: 'x'.repeat(6 * 1024 * 1024) } } };
    expectError(await call('POST', '/v1.0/me/sendMail', huge), 400, 'ErrorMessageSizeExceeded');
  });

  it('unparseable JSON: 400 RequestBodyRead; unknown path: 400 BadRequest', async () => {
    const res = await fetch(`${f.gw.url}/v1.0/me/sendMail`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"message":' });
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RequestBodyRead');
    expectError(await call('GET', '/v1.0/me/calendars'), 400, 'BadRequest');
  });

  it('echoes client-request-id in innerError and the response header', async () => {
    const answer = await call('POST', '/v1.0/me/sendMail', 'not base64!', { 'client-request-id': 'abc-123' });
    expect(answer.body.error?.innerError['client-request-id']).toBe('abc-123');
    expect(answer.headers.get('client-request-id')).toBe('abc-123');
  });
});

describe('drafts', () => {
  it('creates (201), reads, patches and sends a draft; the draft becomes the Sent Items copy', async () => {
    const created = await call('POST', '/v1.0/me/mailFolders/drafts/messages', { subject: 'draft 1', body: { contentType: 'Text', content: 'first' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ subject: 'draft 1', isDraft: true, parentFolderId: 'drafts', toRecipients: [] });
    const id = created.body.id as string;
    const patched = await call('PATCH', `/v1.0/me/messages/${id}`, { subject: 'draft 1b', toRecipients: to, isReadReceiptRequested: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ subject: 'draft 1b', isReadReceiptRequested: true, body: { content: 'first' } });
    expect((await call('GET', `/v1.0/me/messages/${id}`)).body.subject).toBe('draft 1b');
    const attached = await call('POST', `/v1.0/me/messages/${id}/attachments`, {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'note.txt',
      contentBytes: Buffer.from('attached').toString('base64'),
    });
    expect(attached.status).toBe(201);
    expect(attached.body).toMatchObject({ name: 'note.txt', size: 8, isInline: false });
    const before = f.sink.messages.length;
    expect((await call('POST', `/v1.0/me/messages/${id}/send`)).status).toBe(202);
    const mail = await simpleParser((await f.sink.waitForMessages(before + 1))[before]?.raw as Buffer);
    expect(mail.subject).toBe('draft 1b');
    expect(mail.messageId).toBe(created.body.internetMessageId);
    expect(mail.attachments[0]?.content.toString()).toBe('attached');
    expectError(await call('POST', `/v1.0/me/messages/${id}/send`), 404, 'ErrorItemNotFound');
    expect(await sentSubjects()).toContain('draft 1b');
  });

  it('keeps a MIME draft\'s bytes and sends them as they are', async () => {
    const mime = Buffer.from('From: alice@example.test\r\nTo: reader@remote.test\r\nSubject: mime draft\r\nX-Mine: kept\r\n\r\nexact body\r\n');
    const created = await call('POST', '/v1.0/me/messages', mime.toString('base64'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ subject: 'mime draft', isDraft: true });
    const before = f.sink.messages.length;
    expect((await call('POST', `/v1.0/me/messages/${created.body.id as string}/send`)).status).toBe(202);
    const raw = (await f.sink.waitForMessages(before + 1))[before]?.raw as Buffer;
    expect(raw.includes(mime)).toBe(true);
  });

  it('upload sessions: 150 MB at most, chunks in order with a valid Content-Range, session URL is the credential', async () => {
    const draft = await call('POST', '/v1.0/me/messages', { subject: 'uploads', toRecipients: to });
    const id = draft.body.id as string;
    const create = (size: number) => call('POST', `/v1.0/me/messages/${id}/attachments/createUploadSession`, { AttachmentItem: { attachmentType: 'file', name: 'f.bin', size } });
    expectError(await create(150 * 1024 * 1024 + 1), 400, 'ErrorMessageSizeExceeded');
    const session = await create(150 * 1024 * 1024);
    expect(session.status).toBe(201);
    expect(session.body.nextExpectedRanges).toEqual([`0-${150 * 1024 * 1024 - 1}`]);
    const url = session.body.uploadUrl as string;
    const put = (range: string, body: Buffer) => fetch(url, { method: 'PUT', headers: { 'Content-Range': range }, body: new Uint8Array(body) });
    const chunk = randomBytes(1024);
    expect((await put(`bytes 1024-2047/${150 * 1024 * 1024}`, chunk)).status).toBe(409);
    expect((await put('bytes 0-1023/5', chunk)).status).toBe(400);
    expect((await put(`bytes 0-2047/${150 * 1024 * 1024}`, chunk)).status).toBe(400);
    const ok = await put(`bytes 0-1023/${150 * 1024 * 1024}`, chunk);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([`1024-${150 * 1024 * 1024 - 1}`]);
    const tooBig = await put(`bytes 1024-${1024 + 4 * 1024 * 1024}/${150 * 1024 * 1024}`, randomBytes(4 * 1024 * 1024 + 1));
    expect(tooBig.status).toBe(400);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
  });
});
