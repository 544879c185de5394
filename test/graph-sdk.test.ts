/**
 * Microsoft's own SDKs against a listening mailgate over HTTPS, configured as Microsoft documents: `@microsoft/microsoft-graph-client` (delegated
 * token, `/me`) and `@microsoft/msgraph-sdk` (Kiota, app token, `/users/{upn}`) send JSON mail,
 * MIME mail, and a draft with a large attachment uploaded through an upload session. Every message
 * is parsed back at a real SMTP sink and compared field by field with what the SDK sent.
 */
import { randomBytes } from 'node:crypto';
import { HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { GraphServiceClient } from '@microsoft/msgraph-sdk';
import { createUploadSessionFromDiscriminatorValue, type Message, type UploadSession } from '@microsoft/msgraph-sdk/models/index.js';
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphRequestAdapter } from '@microsoft/msgraph-sdk';
import { graphClient, kiotaClient, startGraphFixture, type GraphFixture } from './helpers/graph.js';
import type { SinkMessage } from './helpers/smtp-sink.js';
import { trustForProcess } from './helpers/tls-fetch.js';

let f: GraphFixture;
let gc: Client;
let kiota: GraphServiceClient;
let adapter: GraphRequestAdapter;
const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';

beforeAll(async () => {
  f = await startGraphFixture();
  await f.user(ALICE, { name: 'Alice Example' });
  await f.user(BOB, { name: 'Bob Example' });
  const app = await f.app(['Mail.Send', 'Mail.ReadWrite']);
  const aliceToken = await f.userToken(app, ALICE);
  const appToken = await f.appToken(app);
  // Both SDKs over HTTPS, the gateway's certificate trusted as a user trusts it (NODE_EXTRA_CA_CERTS).
  trustForProcess(f.gw.caFile);
  gc = graphClient(f.gw.httpsUrl, async () => aliceToken);
  ({ client: kiota, adapter } = kiotaClient(f.gw.httpsUrl, async () => appToken));
});

afterAll(async () => {
  await f?.stop();
});

let delivered = 0;
/** The next message the sink receives, parsed. */
async function nextDelivery(): Promise<{ sink: SinkMessage; mail: ParsedMail }> {
  delivered += 1;
  const messages = await f.sink.waitForMessages(delivered);
  const sink = messages[delivered - 1] as SinkMessage;
  // Image links stay `cid:` references: the comparison is with what the client wrote.
  return { sink, mail: await simpleParser(sink.raw, { skipImageLinks: true }) };
}

function addresses(value: ParsedMail['to']): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => `${v.name} <${v.address}>`));
}

/** A header as written on the wire, unfolded. */
function header(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name)?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim();
}

const pixel = randomBytes(600);
const report = Buffer.from('quarterly numbers\n');

/** A message using every property a sender sets (contracts.md §2). */
function richMessage(subject: string) {
  return {
    subject,
    body: { contentType: 'HTML', content: '<p>Hello <img src="cid:logo@mailgate"></p>' },
    toRecipients: [{ emailAddress: { address: 'reader@remote.test', name: 'Reader One' } }],
    ccRecipients: [{ emailAddress: { address: 'copy@remote.test', name: 'Copy Reader' } }],
    bccRecipients: [{ emailAddress: { address: 'hidden@remote.test' } }],
    replyTo: [{ emailAddress: { address: 'replies@remote.test', name: 'Replies' } }],
    importance: 'high',
    isReadReceiptRequested: true,
    isDeliveryReceiptRequested: true,
    categories: ['Red category', 'Project X'],
    internetMessageHeaders: [{ name: 'x-custom-header-group-name', value: 'Nevada' }],
    attachments: [
      {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'logo.png',
        contentType: 'image/png',
        contentBytes: pixel.toString('base64'),
        contentId: 'logo@mailgate',
        isInline: true,
      },
      { '@odata.type': '#microsoft.graph.fileAttachment', name: 'report.txt', contentType: 'text/plain', contentBytes: report.toString('base64') },
    ],
  };
}

function expectRichDelivery({ sink, mail }: { sink: SinkMessage; mail: ParsedMail }, from: string, subject: string): void {
  expect(mail.subject).toBe(subject);
  expect(addresses(mail.from)).toEqual([from]);
  expect(addresses(mail.to)).toEqual(['Reader One <reader@remote.test>']);
  expect(addresses(mail.cc)).toEqual(['Copy Reader <copy@remote.test>']);
  expect(addresses(mail.replyTo)).toEqual(['Replies <replies@remote.test>']);
  // Bcc travels in the envelope only.
  expect(mail.bcc).toBeUndefined();
  expect(sink.rcptTo.sort()).toEqual(['copy@remote.test', 'hidden@remote.test', 'reader@remote.test']);
  expect(mail.html).toContain('<img src="cid:logo@mailgate">');
  const address = from.replace(/^.*<|>$/g, '');
  expect(header(mail, 'importance')).toBe('high');
  expect(header(mail, 'x-priority')).toBe('1');
  expect(header(mail, 'disposition-notification-to')).toBe(`<${address}>`);
  expect(header(mail, 'return-receipt-to')).toBe(`<${address}>`);
  expect(header(mail, 'keywords')).toBe('Red category, Project X');
  expect(header(mail, 'x-custom-header-group-name')).toBe('Nevada');
  const [logo, file] = mail.attachments;
  expect(logo?.filename).toBe('logo.png');
  expect(logo?.contentType).toBe('image/png');
  expect(logo?.contentId).toBe('<logo@mailgate>');
  expect(logo?.contentDisposition).toBe('inline');
  expect(logo?.content.equals(pixel)).toBe(true);
  expect(file?.filename).toBe('report.txt');
  expect(file?.contentDisposition).toBe('attachment');
  expect(file?.content.equals(report)).toBe(true);
}

/**
 * The same message in Kiota's model. msgraph-sdk (1.0.0-preview.90) drops the properties of derived
 * types inside collections (serializeAttachment calls serializeFileAttachment with
 * isSerializingDerivedType=true, which returns at once), so `contentBytes` and `contentId` travel
 * in `additionalData`, Kiota's documented place for properties its model does not write (README).
 */
function kiotaMessage(subject: string): Message {
  const { attachments, ...rest } = richMessage(subject);
  return {
    ...rest,
    attachments: attachments.map(({ '@odata.type': odataType, contentBytes, contentId, ...a }) => ({
      ...a,
      odataType,
      additionalData: { contentBytes, ...(contentId ? { contentId } : {}) },
    })),
  } as Message;
}

/** Client MIME, as a mail program would write it. */
async function clientMime(from: string, subject: string): Promise<Buffer> {
  const node = new MailComposer({
    from,
    to: 'Reader One <reader@remote.test>',
    bcc: 'hidden@remote.test',
    subject,
    text: 'MIME body, kept as written.',
    attachments: [{ filename: 'notes.txt', content: 'mime attachment' }],
  }).compile();
  // A mail program keeps Bcc in the MIME it hands over; the gateway must strip it.
  node.keepBcc = true;
  return node.build();
}

async function expectMimeDelivery(sent: Buffer, from: string, subject: string): Promise<void> {
  const { sink, mail } = await nextDelivery();
  expect(mail.subject).toBe(subject);
  expect(addresses(mail.from)[0]).toContain(from);
  expect(sink.rcptTo.sort()).toEqual(['hidden@remote.test', 'reader@remote.test']);
  expect(mail.bcc).toBeUndefined();
  expect(mail.text?.trim()).toBe('MIME body, kept as written.');
  expect(mail.attachments[0]?.content.toString()).toBe('mime attachment');
  // The client's body bytes arrive unchanged: only headers were added in front.
  const body = sent.subarray(sent.indexOf('\r\n\r\n'));
  expect(sink.raw.includes(body)).toBe(true);
}

const big = randomBytes(5 * 1024 * 1024 + 12_345);

async function expectLargeDelivery(subject: string, internetMessageId: string): Promise<void> {
  const { mail } = await nextDelivery();
  expect(mail.subject).toBe(subject);
  expect(mail.messageId).toBe(internetMessageId);
  expect(mail.text?.trim()).toBe('See the attachment.');
  const attachment = mail.attachments.find((a) => a.filename === 'big.bin');
  expect(attachment?.size).toBe(big.length);
  expect(attachment?.content.equals(big)).toBe(true);
}

describe('@microsoft/microsoft-graph-client (delegated, /me)', () => {
  it('sends no token to a plain http:// base URL (401), which is why the SDKs are pointed at the HTTPS port', async () => {
    const plain = graphClient(f.gw.url, async () => 'never-sent');
    await expect(plain.api('/me/sendMail').post({ message: richMessage('over http') })).rejects.toMatchObject({ statusCode: 401 });
  });

  it('sends JSON mail with every sender property; the copy is in Sent Items', async () => {
    await gc.api('/me/sendMail').post({ message: richMessage('graph-client JSON') });
    expectRichDelivery(await nextDelivery(), 'Alice Example <alice@example.test>', 'graph-client JSON');
    const sent = await gc.api('/me/mailFolders/sentitems/messages').top(1).get();
    expect(sent.value[0].subject).toBe('graph-client JSON');
    expect(sent.value[0].bccRecipients).toEqual([{ emailAddress: { name: 'hidden@remote.test', address: 'hidden@remote.test' } }]);
  });

  it('sends base64 MIME with Content-Type: text/plain', async () => {
    const mime = await clientMime('Alice <alice@example.test>', 'graph-client MIME');
    await gc.api('/me/sendMail').header('Content-Type', 'text/plain').post(mime.toString('base64'));
    await expectMimeDelivery(mime, 'alice@example.test', 'graph-client MIME');
  });

  it('creates a draft, uploads a large attachment through an upload session and sends it', async () => {
    const draft = await gc.api('/me/messages').post({
      subject: 'graph-client large',
      body: { contentType: 'Text', content: 'See the attachment.' },
      toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }],
    });
    expect(draft.isDraft).toBe(true);
    const session = await gc
      .api(`/me/messages/${draft.id}/attachments/createUploadSession`)
      .post({ AttachmentItem: { attachmentType: 'file', name: 'big.bin', size: big.length } });
    expect(session.nextExpectedRanges).toEqual([`0-${big.length - 1}`]);
    // Over https the session's absolute uploadUrl is used as the SDK hands it out.
    expect(session.uploadUrl).toMatch(new RegExp(`^${f.gw.httpsUrl}/v1\\.0/`));
    const slice = 4 * 1024 * 1024;
    for (let start = 0; start < big.length; start += slice) {
      const end = Math.min(start + slice, big.length) - 1;
      await gc
        .api(session.uploadUrl)
        .headers({ 'Content-Range': `bytes ${start}-${end}/${big.length}`, 'Content-Type': 'application/octet-stream' })
        .put(big.subarray(start, end + 1));
    }
    await gc.api(`/me/messages/${draft.id}/send`).post(null);
    await expectLargeDelivery('graph-client large', draft.internetMessageId);
  });
});

describe('@microsoft/msgraph-sdk (Kiota, app-only, /users/{upn})', () => {
  it('sends JSON mail with every sender property; saveToSentItems false files no copy', async () => {
    const before = await kiota.users.byUserId(BOB).mailFolders.byMailFolderId('sentitems').messages.get();
    await kiota.users.byUserId(BOB).sendMail.post({ message: kiotaMessage('kiota JSON'), saveToSentItems: false });
    expectRichDelivery(await nextDelivery(), 'Bob Example <bob@example.test>', 'kiota JSON');
    const after = await kiota.users.byUserId(BOB).mailFolders.byMailFolderId('sentitems').messages.get();
    expect(after?.value?.length).toBe(before?.value?.length);
  });

  it('sends base64 MIME with Content-Type: text/plain', async () => {
    const mime = await clientMime('bob@example.test', 'kiota MIME');
    // The generated builder only writes JSON; MIME goes through a RequestInformation of the same URL.
    const info = new RequestInformation(HttpMethod.POST, '{+baseurl}/users/{user%2Did}/sendMail', { 'user%2Did': BOB });
    info.setStreamContent(new TextEncoder().encode(mime.toString('base64')).buffer as ArrayBuffer, 'text/plain');
    await adapter.sendNoResponseContent(info, undefined);
    await expectMimeDelivery(mime, 'bob@example.test', 'kiota MIME');
  });

  it('creates a draft, uploads a large attachment through an upload session and sends it', async () => {
    const messages = kiota.users.byUserId(BOB).messages;
    const draft = await messages.post({
      subject: 'kiota large',
      body: { contentType: 'text', content: 'See the attachment.' },
      toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }],
    });
    expect(draft?.isDraft).toBe(true);
    const id = draft?.id as string;
    const session = (await messages.byMessageId(id).attachments.createUploadSession.post({
      attachmentItem: { attachmentType: 'file', name: 'big.bin', size: big.length },
    })) as UploadSession;
    // msgraph-sdk-core's LargeFileUploadTask declares Content-Length one byte short of each slice
    // (UploadSlice: rangeEnd - rangeBegin), which breaks HTTP framing; the slices go through the
    // same request adapter as RequestInformation PUTs instead (README).
    expect(session.nextExpectedRanges).toEqual([`0-${big.length - 1}`]);
    const slice = 2 * 1024 * 1024;
    for (let start = 0; start < big.length; start += slice) {
      const end = Math.min(start + slice, big.length) - 1;
      const info = new RequestInformation(HttpMethod.PUT, session.uploadUrl as string);
      info.headers.add('Content-Range', `bytes ${start}-${end}/${big.length}`);
      info.setStreamContent(new Uint8Array(big.subarray(start, end + 1)).buffer, 'application/octet-stream');
      if (end + 1 < big.length) {
        const next = (await adapter.send(info, createUploadSessionFromDiscriminatorValue, undefined)) as UploadSession | undefined;
        expect(next?.nextExpectedRanges).toEqual([`${end + 1}-${big.length - 1}`]);
      } else {
        // The last chunk answers 201 with an empty body (and Location), as Outlook documents.
        await adapter.sendNoResponseContent(info, undefined);
      }
    }
    await messages.byMessageId(id).send.post();
    await expectLargeDelivery('kiota large', draft?.internetMessageId as string);
  });
});
