/**
 * Helpers for client-supplied RFC 5322 bytes (Graph MIME sends, SMTP DATA). The client's bytes
 * stay intact: the gateway only prepends the headers it must add and reads the header block.
 */
import { MailgateError } from '../core/errors.js';
import type { MessageIds } from '../core/ports.js';
import { decodeEncodedWords, parseAddressList, quotedMailbox } from './address.js';

/** One unfolded header field, value as written (encoded words not decoded). */
export interface RawHeader {
  name: string;
  value: string;
}

/** What the gateway needs to know about a client message without parsing its body. */
export interface HeaderSummary {
  /** The first From address. */
  from: string;
  /** Every address of every From field (RFC 5322 allows a list; a forger may add a second field). */
  fromAddresses: string[];
  /** Every address of every Sender field. */
  senderAddresses: string[];
  /** The From header as display text, encoded words decoded (`Name <addr>`). */
  fromHeader: string;
  subject: string;
  messageId?: string;
  to: string[];
  cc: string[];
  /** Bcc addresses, for deriving the envelope; see `stripBcc` before delivery. */
  bcc: string[];
}

export interface PreparedMessage {
  raw: Buffer;
  messageId: string;
  date: string;
}

/** Formats a Date header value the way nodemailer does (RFC 5322 3.3, UTC). */
export function formatDateHeader(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** Wraps a message id in angle brackets unless it already has them. */
export function formatMessageId(id: string): string {
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

interface HeaderBlock {
  /** Byte length of the header block, without the blank separator line. */
  end: number;
  newline: '\r\n' | '\n';
  headers: RawHeader[];
}

const FIELD_LINE = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$/s;

function splitHeaderBlock(raw: Buffer): HeaderBlock {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const found = [crlf, lf].filter((i) => i >= 0);
  if (found.length === 0) throw new MailgateError('invalid_mime', 'The message has no blank line between header and body');
  let end = Math.min(...found);
  // A CRLF header line followed by a bare-LF blank line: the CR belongs to the separator.
  if (end === lf && end > 0 && raw[end - 1] === 0x0d) end -= 1;
  if (end === 0) throw new MailgateError('invalid_mime', 'The message has no header fields');
  const block = raw.subarray(0, end);
  if (block.includes(0)) throw new MailgateError('invalid_mime', 'The header block contains a NUL byte');
  const newline = block.includes('\r\n') || crlf === end ? '\r\n' : '\n';
  // RFC 6532 allows UTF-8 in header values; anything else decodes lossily, which is fine for reading.
  const lines = block.toString('utf8').split(/\r?\n/);
  const headers: RawHeader[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      const last = headers[headers.length - 1];
      if (!last) throw new MailgateError('invalid_mime', 'The message starts with a folded line');
      // RFC 5322 2.2.3: unfolding removes only the line break, the whitespace stays.
      last.value += line;
      continue;
    }
    const match = FIELD_LINE.exec(line);
    if (!match) throw new MailgateError('invalid_mime', 'The header block contains a line that is not a header field');
    headers.push({ name: match[1] as string, value: match[2] as string });
  }
  return { end, newline, headers };
}

function findHeaders(headers: RawHeader[], name: string): string[] {
  const key = name.toLowerCase();
  return headers.filter((h) => h.name.toLowerCase() === key).map((h) => h.value.trim());
}

/** Returns the unfolded header fields of a message, in order. */
export function readHeaders(raw: Buffer): RawHeader[] {
  return splitHeaderBlock(raw).headers.map((h) => ({ name: h.name, value: h.value.trim() }));
}

/**
 * Adds Message-ID and Date at the top when the client left them out, and reports the values in
 * effect. With `stripBcc`, Bcc fields are removed so blind recipients stay blind on delivery.
 */
export function prepareRawMessage(raw: Buffer, ids: MessageIds, options: { stripBcc?: boolean } = {}): PreparedMessage {
  const block = splitHeaderBlock(raw);
  const existingId = findHeaders(block.headers, 'Message-ID')[0];
  const existingDate = findHeaders(block.headers, 'Date')[0];
  // RFC 5322 3.6 allows one of each; a blank one cannot be tracked and adding a second is invalid.
  if (existingId === '') throw new MailgateError('invalid_mime', 'The Message-ID header is empty');
  if (existingDate === '') throw new MailgateError('invalid_mime', 'The Date header is empty');
  const messageId = existingId ?? formatMessageId(ids.messageId);
  const date = existingDate ?? formatDateHeader(ids.date);
  const added: string[] = [];
  if (existingId === undefined) added.push(`Message-ID: ${messageId}`);
  if (existingDate === undefined) added.push(`Date: ${date}`);
  const prefix = added.length ? Buffer.from(added.map((line) => line + block.newline).join(''), 'utf8') : Buffer.alloc(0);
  const body = options.stripBcc ? removeHeaderLines(raw, block, 'bcc') : raw;
  return { raw: prefix.length ? Buffer.concat([prefix, body]) : body, messageId, date };
}

function removeHeaderLines(raw: Buffer, block: HeaderBlock, name: string): Buffer {
  if (findHeaders(block.headers, name).length === 0) return raw;
  // Work on latin1 so every byte maps to one char and non-removed lines are copied byte-exact.
  const text = raw.subarray(0, block.end).toString('latin1');
  const lines = text.split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (!dropping) kept.push(line);
      continue;
    }
    dropping = line.slice(0, line.indexOf(':')).trim().toLowerCase() === name;
    if (!dropping) kept.push(line);
  }
  const head = kept.join('').replace(/\r?\n$/, '');
  // The header block ends without its own newline (that belongs to the separator after
  // `block.end`), so a dropped last line leaves one to trim; dropping every line leaves one fewer.
  const rest = raw.subarray(block.end);
  return Buffer.concat([Buffer.from(head, 'latin1'), head === '' ? rest.subarray(rest[0] === 0x0d ? 2 : 1) : rest]);
}

function addresses(values: readonly string[]): string[] {
  return parseAddressList(values).map((a) => a.address);
}

/** Display names of the To, Cc and Bcc addresses (lower-cased address → first name given). */
export function readRecipientNames(raw: Buffer): Record<string, string> {
  const { headers } = splitHeaderBlock(raw);
  const names: Record<string, string> = {};
  for (const a of parseAddressList(['To', 'Cc', 'Bcc'].flatMap((field) => findHeaders(headers, field)))) {
    const key = a.address.toLowerCase();
    if (a.name && names[key] === undefined) names[key] = a.name;
  }
  return names;
}

/** Reads sender, recipients, subject and Message-ID from the header block only. */
export function readHeaderSummary(raw: Buffer): HeaderSummary {
  const { headers } = splitHeaderBlock(raw);
  const fromValues = findHeaders(headers, 'From');
  const fromParsed = parseAddressList(fromValues);
  const fromAddresses = fromParsed.map((a) => a.address);
  const summary: HeaderSummary = {
    from: fromAddresses[0] ?? '',
    fromAddresses,
    senderAddresses: addresses(findHeaders(headers, 'Sender')),
    fromHeader: fromParsed.map(quotedMailbox).join(', '),
    subject: decodeEncodedWords(findHeaders(headers, 'Subject')[0] ?? '').trim(),
    to: addresses(findHeaders(headers, 'To')),
    cc: addresses(findHeaders(headers, 'Cc')),
    bcc: addresses(findHeaders(headers, 'Bcc')),
  };
  const messageId = findHeaders(headers, 'Message-ID')[0];
  if (messageId) summary.messageId = messageId;
  return summary;
}
