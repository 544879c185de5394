/**
 * Input validation run before anything reaches MIME or disk. Every check throws a MailgateError
 * whose `field` is the offending input's path in ComposeContent terms (`to[0].address`,
 * `attachments[1].filename`, `headers[2].name`); dialects map those paths to their wire names.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { MailgateError } from './errors.js';
import type { AttachmentInput, ComposeContent, HeaderField, MailAddress } from './message.js';

// RFC 5321 4.5.3.1: 64 octets of local part, 254 for the whole path without angle brackets.
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;
const MAX_DOMAIN_OCTETS = 253;
// RFC 5322 2.1.1: a line may hold 998 characters; a longer field name could never be folded.
const MAX_HEADER_NAME = 76;
const MAX_FILENAME = 250;

const LINE_BREAK = /[\r\n]/;
// C0, DEL and C1 controls, plus the Unicode line/paragraph separators some clients split on.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// RFC 5322 atext, extended by RFC 6531 with any non-ASCII code point (UTF8-non-ascii).
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+)*$/u;
// RFC 5322 quoted-string content (qtext / quoted-pair), again widened to UTF-8.
const QUOTED_LOCAL = /^"(?:[\u0020\u0021\u0023-\u005b\u005d-\u007e\u0080-\u{10ffff}]|\\[\u0020-\u007e])*"$/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
// RFC 2045 token characters for type and subtype.
const CONTENT_TYPE = /^[a-z0-9!#$%&'*+\-.^_`{|}~]+\/[a-z0-9!#$%&'*+\-.^_`{|}~]+$/;

/** Header fields the gateway writes itself; a client-supplied copy would duplicate or override them. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set(
  [
    'message-id',
    'date',
    'from',
    'to',
    'cc',
    'bcc',
    'sender',
    'reply-to',
    'subject',
    'mime-version',
    'content-type',
    'content-transfer-encoding',
    'dkim-signature',
    'received',
    'return-path',
  ],
);

function requireString(value: unknown, field: string): string {
  if (value === undefined || value === null) throw new MailgateError('field_required', undefined, field);
  if (typeof value !== 'string') throw new MailgateError('invalid_type', `${field} must be a string`, field);
  return value;
}

function rejectLineBreaks(value: string, field: string): void {
  if (LINE_BREAK.test(value)) throw new MailgateError('header_injection', undefined, field);
}

function octets(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function normaliseDomain(domain: string, field: string): string {
  const invalid = (why: string): never => {
    throw new MailgateError('invalid_address', `Invalid email address: ${why}`, field);
  };
  if (domain.startsWith('[')) {
    if (!domain.endsWith(']')) invalid('unterminated address literal');
    const literal = domain.slice(1, -1);
    if (isIPv4(literal)) return domain;
    // RFC 5321 4.1.3: IPv6 literals carry an "IPv6:" tag.
    if (/^ipv6:/i.test(literal) && isIPv6(literal.slice(5))) return `[IPv6:${literal.slice(5).toLowerCase()}]`;
    return invalid('bad address literal');
  }
  const lower = domain.normalize('NFC').toLowerCase();
  // domainToASCII applies UTS #46 and returns '' for names that cannot be IDNA-encoded.
  const ascii = /[^\x00-\x7f]/.test(lower) ? domainToASCII(lower) : lower;
  if (!ascii || ascii.length > MAX_DOMAIN_OCTETS) invalid('bad domain');
  const labels = ascii.split('.');
  if (!labels.every((label) => LDH_LABEL.test(label))) invalid('bad domain');
  // An all-numeric top label is a bare IP address, which RFC 5321 requires in brackets.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) invalid('IP addresses must be written as [literal]');
  return lower;
}

/** Validates one mailbox address and returns it trimmed, with the domain lower-cased. */
export function assertAddress(address: string, field: string): string {
  // Line breaks are refused before trimming: a trailing CRLF is harmless only by accident.
  rejectLineBreaks(requireString(address, field), field);
  const value = address.trim();
  if (value === '') throw new MailgateError('field_blank', undefined, field);
  if (CONTROL.test(value)) throw new MailgateError('invalid_address', 'Invalid email address: control character', field);
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) throw new MailgateError('invalid_address', undefined, field);
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!DOT_ATOM.test(local) && !QUOTED_LOCAL.test(local)) {
    throw new MailgateError('invalid_address', 'Invalid email address: bad local part', field);
  }
  if (octets(local) > MAX_LOCAL_OCTETS) throw new MailgateError('invalid_address', 'Invalid email address: local part too long', field);
  const normalised = `${local}@${normaliseDomain(domain, field)}`;
  if (octets(normalised) > MAX_ADDRESS_OCTETS) throw new MailgateError('invalid_address', 'Invalid email address: too long', field);
  return normalised;
}

/** Validates text destined for an unstructured header (subject, display name, header value). */
export function assertHeaderText(value: string, field: string): string {
  const text = requireString(value, field);
  // NUL counts as injection too: some MTAs truncate at it, letting a later part masquerade.
  if (/[\r\n\0]/.test(text)) throw new MailgateError('header_injection', undefined, field);
  if (/[\u0001-\u0008\u000b-\u001f\u007f]/.test(text)) {
    throw new MailgateError('invalid_value', `${field} contains a control character`, field);
  }
  return text;
}

/** Validates a client-supplied header field name (RFC 5322 ftext) that the gateway does not own. */
export function assertHeaderName(name: string, field: string): string {
  const value = requireString(name, field);
  rejectLineBreaks(value, field);
  if (value === '') throw new MailgateError('field_blank', undefined, field);
  if (!HEADER_NAME.test(value) || value.length > MAX_HEADER_NAME) {
    throw new MailgateError('invalid_value', `${field} is not a valid header name`, field);
  }
  if (RESERVED_HEADERS.has(value.toLowerCase())) {
    throw new MailgateError('invalid_value', `The ${value} header is set by the gateway`, field);
  }
  return value;
}

/** Reduces a client-supplied file name to a safe base name; never empty, never hidden. */
export function sanitizeFilename(name: string, field: string): string {
  const value = requireString(name, field);
  rejectLineBreaks(value, field);
  const base = (value.split(/[/\\]/).pop() ?? '')
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu, '')
    .trim()
    // Leading dots hide files on Unix; trailing dots and spaces are silently dropped by Windows.
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '')
    .trim();
  if (base === '') return 'attachment';
  const chars = Array.from(base);
  if (chars.length <= MAX_FILENAME) return base;
  // Keep a short extension so the receiver still sees the file type.
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? Array.from(base.slice(dot)) : [];
  if (ext.length > 0 && ext.length <= 16) {
    return Array.from(base.slice(0, dot)).slice(0, MAX_FILENAME - ext.length).join('') + ext.join('');
  }
  return chars.slice(0, MAX_FILENAME).join('');
}

function validateMailbox(input: MailAddress, field: string): MailAddress {
  if (input === null || typeof input !== 'object') throw new MailgateError('field_required', undefined, field);
  const address = assertAddress(input.address, `${field}.address`);
  if (input.name === undefined || input.name === null) return { address };
  const name = assertHeaderText(input.name, `${field}.name`).trim();
  return name === '' ? { address } : { address, name };
}

function listOf<T>(list: T[] | undefined, field: string): T[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new MailgateError('invalid_type', `${field} must be a list`, field);
  return list;
}

function validateList(list: MailAddress[] | undefined, field: string): MailAddress[] {
  return listOf(list, field).map((entry, i) => validateMailbox(entry, `${field}[${i}]`));
}

function validateAttachment(input: AttachmentInput, field: string): AttachmentInput {
  if (input === null || typeof input !== 'object') throw new MailgateError('field_required', undefined, field);
  if (!Buffer.isBuffer(input.content)) {
    throw new MailgateError('invalid_type', `${field}.content must be bytes`, `${field}.content`);
  }
  const out: AttachmentInput = {
    filename: sanitizeFilename(input.filename, `${field}.filename`),
    content: input.content,
  };
  if (input.contentType !== undefined && input.contentType !== null) {
    const type = assertHeaderText(input.contentType, `${field}.contentType`).trim().toLowerCase();
    // Parameters are dropped: the composer writes charset/name itself and a client value could clash.
    const bare = type.split(';')[0]?.trim() ?? '';
    if (!CONTENT_TYPE.test(bare) || bare.startsWith('multipart/')) {
      throw new MailgateError('invalid_value', `${field}.contentType is not a valid media type`, `${field}.contentType`);
    }
    out.contentType = bare;
  }
  if (input.contentId !== undefined && input.contentId !== null) {
    const cidField = `${field}.contentId`;
    const cid = assertHeaderText(input.contentId, cidField).trim().replace(/^<(.*)>$/, '$1');
    // A Content-ID is a msg-id (RFC 2045 7): no whitespace, brackets or quotes inside.
    if (cid === '' || !/^[\x21-\x7e]+$/.test(cid) || /[<>"\\]/.test(cid)) {
      throw new MailgateError('invalid_value', `${cidField} is not a valid content id`, cidField);
    }
    out.contentId = cid;
  }
  if (input.inline !== undefined) {
    if (typeof input.inline !== 'boolean') {
      throw new MailgateError('invalid_type', `${field}.inline must be a boolean`, `${field}.inline`);
    }
    out.inline = input.inline;
  }
  return out;
}

function validateHeader(input: HeaderField, field: string): HeaderField {
  if (input === null || typeof input !== 'object') throw new MailgateError('field_required', undefined, field);
  return {
    name: assertHeaderName(input.name, `${field}.name`),
    value: assertHeaderText(input.value, `${field}.value`),
  };
}

function validateBody(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MailgateError('invalid_type', `${field} must be a string`, field);
  return value;
}

/** Validates every field of a message to compose and returns a normalised copy. */
export function validateComposeContent(mail: ComposeContent): ComposeContent {
  if (mail === null || typeof mail !== 'object') throw new MailgateError('malformed_request');
  if (mail.from === undefined || mail.from === null) throw new MailgateError('field_required', undefined, 'from');
  const from = validateMailbox(mail.from, 'from');
  const to = validateList(mail.to, 'to');
  const cc = validateList(mail.cc, 'cc');
  const bcc = validateList(mail.bcc, 'bcc');
  if (to.length + cc.length + bcc.length === 0) throw new MailgateError('no_recipients', undefined, 'to');
  const out: ComposeContent = {
    from,
    to,
    cc,
    bcc,
    replyTo: validateList(mail.replyTo, 'replyTo'),
    subject: mail.subject === undefined || mail.subject === null ? '' : assertHeaderText(mail.subject, 'subject'),
    attachments: listOf(mail.attachments, 'attachments').map((a, i) => validateAttachment(a, `attachments[${i}]`)),
    headers: listOf(mail.headers, 'headers').map((h, i) => validateHeader(h, `headers[${i}]`)),
  };
  if (mail.sender !== undefined && mail.sender !== null) out.sender = validateMailbox(mail.sender, 'sender');
  const text = validateBody(mail.text, 'text');
  const html = validateBody(mail.html, 'html');
  if (text !== undefined) out.text = text;
  if (html !== undefined) out.html = html;
  // Only notices built in core carry report parts; no dialect translates a client field into one.
  if (mail.report !== undefined) out.report = mail.report;
  return out;
}
