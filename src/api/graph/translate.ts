/**
 * Graph requests ⇄ the internal Submission and mailbox records; pure. Addresses, headers and
 * attachments are checked here under their Graph names, so errors point at the wire field.
 */
import { decodeBase64Strict } from '../../core/base64.js';
import { MailgateError } from '../../core/errors.js';
import { assertJsonDepth } from '../../core/json-depth.js';
import { arrayAt, isObject, objectAt, optionalString, requiredString, type JsonObject } from '../../core/json-fields.js';
import { MENTIONS_META_KEY, type Mention } from '../../core/mentions.js';
import type { AttachmentInput, ComposeContent, HeaderField, MailAddress, Principal, Submission } from '../../core/message.js';
import { assertHeaderName, assertHeaderText } from '../../core/validate.js';
import { readHeaderSummary } from '../../mime/raw-message.js';
import type { UserRecord } from '../../core/storage/store.js';
import { recipientAt } from './email-address.js';
import { flagOf } from './flag.js';
import { mentionsOf, type MentionRequest } from './mentions.js';

/** Graph: attachments under 3 MB go inline in the request; larger ones through an upload session. */
export const INLINE_ATTACHMENT_LIMIT = 3 * 1024 * 1024;
/** Graph: upload sessions take attachments up to 150 MB. */
export const UPLOAD_SESSION_LIMIT = 150 * 1024 * 1024;
/** Graph: "Maximum number of headers in one message should be less than or equal to 5." */
const MAX_INTERNET_HEADERS = 5;
const FILE_ATTACHMENT = '#microsoft.graph.fileAttachment';
const MIME_BASE64_MESSAGE = 'Invalid base64 string for MIME content.';

/** The mailbox a request acts for, and the addresses it may send as. */
export interface Mailbox {
  user: UserRecord;
  /** Who sends from this mailbox; ingest() checks what it may put in From and Sender. */
  principal: Principal;
}

export type Importance = 'low' | 'normal' | 'high';

/** A Graph message's writable properties, checked and normalised. */
export interface MessageFields {
  subject: string;
  body: { html: boolean; content: string } | undefined;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  from: MailAddress | undefined;
  sender: MailAddress | undefined;
  importance: Importance;
  isDeliveryReceiptRequested: boolean;
  isReadReceiptRequested: boolean;
  internetMessageHeaders: HeaderField[];
  attachments: AttachmentInput[];
  mentions: MentionRequest[];
  flag: JsonObject | undefined;
  categories: string[];
}

/** Looks a top-level key up case-insensitively: the seed's parameter table writes `Message`, its examples `message`. */
function lookup(body: JsonObject, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(body).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : body[key];
}

/** A Graph boolean; clients also send the strings "true"/"false" (Graph's sendMail page (docs/vendor-apis.md#sendmail-and-drafts) (example 1)). */
export function booleanOf(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw new MailgateError('invalid_type', `${field} must be a boolean`, field);
}

/** Parses a JSON request body; `malformed_request` (RequestBodyRead) when it is not a JSON object. */
export function jsonBody(body: unknown): JsonObject {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  assertJsonDepth(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MailgateError('malformed_request', 'Cannot read the request body: it is not valid JSON');
  }
  if (!isObject(parsed)) throw new MailgateError('malformed_request', 'The request body must be a JSON object');
  return parsed;
}

/** `sendMail`'s JSON body. Graph's sendMail page (docs/vendor-apis.md#sendmail-and-drafts) (example 6) puts the message's properties at the top level, so that is accepted too. */
export function sendMailRequest(body: JsonObject): { message: JsonObject; saveToSentItems: boolean } {
  const wrapped = lookup(body, 'message');
  if (wrapped !== undefined && !isObject(wrapped)) throw new MailgateError('invalid_type', 'message must be an object', 'message');
  return { message: wrapped ?? body, saveToSentItems: booleanOf(lookup(body, 'saveToSentItems'), 'saveToSentItems', true) };
}

function recipientsAt(message: JsonObject, key: string): MailAddress[] {
  const value = message[key];
  if (value === null) return [];
  return arrayAt(message, key, key).map((r, i) => recipientAt(r, `${key}[${i}]`));
}

function singleRecipient(message: JsonObject, key: string): MailAddress | undefined {
  const value = message[key];
  return value === undefined || value === null ? undefined : recipientAt(value, key);
}

function importanceOf(message: JsonObject): Importance {
  const value = optionalString(message, 'importance', 'importance');
  if (value === undefined) return 'normal';
  const lower = value.toLowerCase();
  if (lower !== 'low' && lower !== 'normal' && lower !== 'high') {
    throw new MailgateError('invalid_value', 'importance must be low, normal or high', 'importance');
  }
  return lower;
}

function bodyOf(message: JsonObject): MessageFields['body'] {
  const body = message.body === null ? undefined : objectAt(message, 'body', 'body');
  if (!body) return undefined;
  const type = (optionalString(body, 'contentType', 'body.contentType') ?? 'text').toLowerCase();
  if (type !== 'text' && type !== 'html') throw new MailgateError('invalid_value', 'body.contentType must be Text or HTML', 'body.contentType');
  return { html: type === 'html', content: optionalString(body, 'content', 'body.content') ?? '' };
}

function internetHeadersOf(message: JsonObject): HeaderField[] {
  const list = message.internetMessageHeaders === null ? [] : arrayAt(message, 'internetMessageHeaders', 'internetMessageHeaders');
  if (list.length > MAX_INTERNET_HEADERS) {
    throw new MailgateError(
      'invalid_value',
      `Maximum number of headers in one message should be less than or equal to ${MAX_INTERNET_HEADERS}.`,
      'internetMessageHeaders',
    );
  }
  return list.map((h, i) => {
    const field = `internetMessageHeaders[${i}]`;
    if (!isObject(h)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
    const name = requiredString(h, 'name', `${field}.name`);
    // Graph accepts only custom headers on sendMail; everything else is the server's to write.
    if (!/^x-/i.test(name)) {
      throw new MailgateError('invalid_value', `The internet message header name '${name}' should start with 'x-' or 'X-'.`, `${field}.name`);
    }
    return { name: assertHeaderName(name, `${field}.name`), value: assertHeaderText(requiredString(h, 'value', `${field}.value`), `${field}.value`) };
  });
}

/** One `fileAttachment` of a request, decoded; only attachments below the inline limit are taken. */
export function fileAttachmentOf(value: unknown, field: string): AttachmentInput {
  if (!isObject(value)) throw new MailgateError('invalid_type', `${field} must be an attachment object`, field);
  const type = optionalString(value, '@odata.type', `${field}.@odata.type`);
  if (type !== undefined && type.toLowerCase() !== FILE_ATTACHMENT.toLowerCase()) {
    throw new MailgateError('invalid_value', `Only ${FILE_ATTACHMENT} is supported`, `${field}.@odata.type`);
  }
  const prefix = field === '' ? '' : `${field}.`;
  const content = decodeBase64Strict(requiredString(value, 'contentBytes', `${prefix}contentBytes`), `${prefix}contentBytes`);
  if (content.length >= INLINE_ATTACHMENT_LIMIT) {
    throw new MailgateError(
      'too_large',
      `The attachment is ${content.length} bytes; attachments of 3 MB or more must be added through an upload session`,
      `${prefix}contentBytes`,
    );
  }
  const attachment: AttachmentInput = { filename: requiredString(value, 'name', `${prefix}name`), content };
  const contentType = optionalString(value, 'contentType', `${prefix}contentType`);
  const contentId = optionalString(value, 'contentId', `${prefix}contentId`);
  if (contentType) attachment.contentType = contentType;
  if (contentId) attachment.contentId = contentId;
  if (value.isInline !== undefined && value.isInline !== null) attachment.inline = booleanOf(value.isInline, `${prefix}isInline`, false);
  return attachment;
}

function categoriesOf(message: JsonObject): string[] {
  return arrayAt(message, 'categories', 'categories').map((c, i) => {
    if (typeof c !== 'string') throw new MailgateError('invalid_type', `categories[${i}] must be a string`, `categories[${i}]`);
    return assertHeaderText(c, `categories[${i}]`).trim();
  });
}

/**
 * Checks every writable property a sender uses (docs/vendor-apis.md#microsoft-graph) and returns them normalised;
 * `beta` because only `/beta` knows `mentions` (a stored draft was checked when it was written).
 */
export function messageFields(message: JsonObject, version: { beta: boolean }): MessageFields {
  const subject = optionalString(message, 'subject', 'subject');
  return {
    subject: subject === undefined ? '' : assertHeaderText(subject, 'subject'),
    body: bodyOf(message),
    to: recipientsAt(message, 'toRecipients'),
    cc: recipientsAt(message, 'ccRecipients'),
    bcc: recipientsAt(message, 'bccRecipients'),
    replyTo: recipientsAt(message, 'replyTo'),
    from: singleRecipient(message, 'from'),
    sender: singleRecipient(message, 'sender'),
    importance: importanceOf(message),
    isDeliveryReceiptRequested: booleanOf(message.isDeliveryReceiptRequested, 'isDeliveryReceiptRequested', false),
    isReadReceiptRequested: booleanOf(message.isReadReceiptRequested, 'isReadReceiptRequested', false),
    internetMessageHeaders: internetHeadersOf(message),
    attachments: arrayAt(message, 'attachments', 'attachments').map((a, i) => fileAttachmentOf(a, `attachments[${i}]`)),
    mentions: mentionsOf(message, version.beta),
    flag: flagOf(message),
    categories: categoriesOf(message),
  };
}

/** The Sent Items facts Graph keeps about a message beyond its headers; `mentions` as accepted (mentionRecords). */
export function graphProperties(fields: MessageFields, mentions: readonly Mention[]): Record<string, unknown> {
  return {
    importance: fields.importance,
    isDeliveryReceiptRequested: fields.isDeliveryReceiptRequested,
    isReadReceiptRequested: fields.isReadReceiptRequested,
    categories: fields.categories,
    ...(fields.flag ? { flag: fields.flag } : {}),
    ...(mentions.length ? { [MENTIONS_META_KEY]: mentions } : {}),
    ...(fields.internetMessageHeaders.length ? { internetMessageHeaders: fields.internetMessageHeaders } : {}),
  };
}

// The headers Outlook writes for these properties, so receiving clients show them.
const PRIORITY: Record<Importance, HeaderField[]> = {
  high: [{ name: 'Importance', value: 'high' }, { name: 'X-Priority', value: '1' }],
  normal: [],
  low: [{ name: 'Importance', value: 'low' }, { name: 'X-Priority', value: '5' }],
};

/** The message to compose for `mailbox`; `from` defaults to the mailbox and must be one it may send as. */
export function composeContent(fields: MessageFields, mailbox: Mailbox, extraAttachments: AttachmentInput[] = []): ComposeContent {
  const { user } = mailbox;
  const from = fields.from ?? (user.name ? { address: user.email, name: user.name } : { address: user.email });
  const headers: HeaderField[] = [...fields.internetMessageHeaders, ...PRIORITY[fields.importance]];
  // RFC 8098 asks for read receipts; Return-Receipt-To is the de facto delivery-receipt request.
  if (fields.isReadReceiptRequested) headers.push({ name: 'Disposition-Notification-To', value: `<${from.address}>` });
  if (fields.isDeliveryReceiptRequested) headers.push({ name: 'Return-Receipt-To', value: `<${from.address}>` });
  // Exchange carries categories in the RFC 5322 Keywords field.
  if (fields.categories.length) headers.push({ name: 'Keywords', value: fields.categories.join(', ') });
  const mail: ComposeContent = {
    from,
    to: fields.to,
    cc: fields.cc,
    bcc: fields.bcc,
    replyTo: fields.replyTo,
    subject: fields.subject,
    attachments: [...fields.attachments, ...extraAttachments],
    headers,
  };
  if (fields.sender && fields.sender.address !== from.address) mail.sender = fields.sender;
  if (fields.body?.html) mail.html = fields.body.content;
  else mail.text = fields.body?.content ?? '';
  return mail;
}

/** A composed Graph submission; its mentions ride in the message record for local recipients' copies. */
export function composeSubmission(mail: ComposeContent, mailbox: Mailbox, messageId?: string, mentions: readonly Mention[] = []): Submission {
  return {
    source: 'graph',
    principal: mailbox.principal,
    content: { kind: 'compose', mail },
    ...(messageId ? { messageId } : {}),
    ...(mentions.length ? { meta: { [MENTIONS_META_KEY]: mentions } } : {}),
  };
}

function newline(raw: Buffer): string {
  const lf = raw.indexOf('\n');
  return lf > 0 && raw[lf - 1] === 0x0d ? '\r\n' : '\n';
}

/** Decodes a base64 MIME body (`Content-Type: text/plain`); the error text of Graph's sendMail page when it is not base64 (docs/vendor-apis.md#sendmail-and-drafts). */
export function decodeMimeBody(body: unknown): Buffer {
  const text = Buffer.isBuffer(body) ? body.toString('latin1') : '';
  const raw = decodeBase64Strict(text, 'mime', MIME_BASE64_MESSAGE);
  if (raw.length === 0) throw new MailgateError('invalid_base64', MIME_BASE64_MESSAGE, 'mime');
  return raw;
}

/**
 * Client MIME as a submission: the bytes stay as they are apart from a From header for the
 * mailbox when the client left it out (as Exchange adds one); the envelope comes from the headers.
 */
export function mimeSubmission(raw: Buffer, mailbox: Mailbox): Submission {
  const { user } = mailbox;
  const summary = readHeaderSummary(raw);
  let bytes = raw;
  let mailFrom = summary.from;
  if (!mailFrom) {
    mailFrom = user.email;
    bytes = Buffer.concat([Buffer.from(`From: ${user.email}${newline(raw)}`, 'utf8'), raw]);
  }
  const rcptTo = [...summary.to, ...summary.cc, ...summary.bcc];
  if (rcptTo.length === 0) throw new MailgateError('no_recipients', 'The MIME message has no To, Cc or Bcc recipients');
  return {
    source: 'graph',
    principal: mailbox.principal,
    envelope: { mailFrom, rcptTo },
    content: { kind: 'mime', raw: bytes },
  };
}
