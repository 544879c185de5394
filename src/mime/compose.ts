/** Builds RFC 5322 bytes from a validated ComposeContent with nodemailer's MailComposer. */
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerAttachment, MailComposerOptions } from 'nodemailer/lib/mail-composer';
import type { AttachmentInput, ComposeContent, MailAddress } from '../core/message.js';
import { assemble } from '../core/message-bytes.js';
import type { Composer, MessageIds } from '../core/ports.js';
import { assertHeaderName } from '../core/validate.js';
import { plainAlternativeOf } from './html-text.js';
import { formatDateHeader, formatMessageId } from './raw-message.js';
import { composeReport } from './report.js';

function mailbox(address: MailAddress): { name: string; address: string } {
  return { name: address.name ?? '', address: address.address };
}

/** Attachments are encoded a slice at a time: nodemailer turns a Buffer into base64 in one piece (several copies of it). */
const ENCODE_SLICE = 48 * 1024;

function* slices(content: Buffer): Generator<Buffer> {
  for (let start = 0; start < content.length; start += ENCODE_SLICE) yield content.subarray(start, start + ENCODE_SLICE);
}

function attachment(input: AttachmentInput): MailComposerAttachment {
  // Content-ID parts display inline unless the client says otherwise; nodemailer only infers
  // that for images, which would turn an inline CSS or font part into a visible attachment.
  const inline = input.inline ?? input.contentId !== undefined;
  const out: MailComposerAttachment = {
    filename: input.filename,
    content: input.content.length > ENCODE_SLICE ? Readable.from(slices(input.content), { objectMode: false }) : input.content,
    contentDisposition: inline ? 'inline' : 'attachment',
  };
  // Left unset, nodemailer guesses the type from the file name's extension.
  if (input.contentType) out.contentType = input.contentType;
  if (input.contentId) out.cid = input.contentId;
  return out;
}

/** Creates the Composer that turns parts into one RFC 5322 message. */
export function createComposer(): Composer {
  return {
    async compose(mail: ComposeContent, ids: MessageIds): Promise<Buffer> {
      if (mail.report) return composeReport(mail, mail.report, ids);
      const options: MailComposerOptions = {
        from: mailbox(mail.from),
        subject: mail.subject,
        // The gateway assigns both so tracking, storage and the bytes agree; nodemailer would invent them.
        messageId: formatMessageId(ids.messageId),
        date: formatDateHeader(ids.date),
        attachments: mail.attachments.map(attachment),
        // Gateway-owned names are refused here too: nodemailer would emit a second Content-Type etc.
        headers: mail.headers.map((h, i) => ({ key: assertHeaderName(h.name, `headers[${i}].name`), value: h.value })),
        // Content never points at files or URLs, but a composer that cannot read them cannot be tricked into it.
        disableFileAccess: true,
        disableUrlAccess: true,
        // DKIM and SMTP both want CRLF; normalising here keeps signatures stable across transports.
        newline: 'win',
      };
      // Bcc is deliberately not passed: recipients come from the envelope and must not see each other.
      if (mail.sender) options.sender = mailbox(mail.sender);
      if (mail.to.length) options.to = mail.to.map(mailbox);
      if (mail.cc.length) options.cc = mail.cc.map(mailbox);
      if (mail.replyTo.length) options.replyTo = mail.replyTo.map(mailbox);
      if (mail.text !== undefined) options.text = mail.text;
      if (mail.html !== undefined) options.html = mail.html;
      // An HTML body alone gets a text/plain alternative (multipart/alternative), as mail clients
      // write one: text-only readers see words, and spam filters score HTML-only mail higher.
      if (mail.html !== undefined && mail.text === undefined) options.text = plainAlternativeOf(mail.html);
      if (mail.text === undefined && mail.html === undefined) options.text = '';
      const stream = new MailComposer(options).compile().createReadStream() as AsyncIterable<Buffer>;
      return restoreHeaderNames(await assemble(stream), mail.headers.map((h) => h.name));
    },
  };
}

/**
 * nodemailer re-cases every header name it is given (`X-Campaign-Id` becomes `X-Campaign-ID`,
 * `X-MC-Tag` becomes `X-Mc-Tag`). Field names are case-insensitive (RFC 5322 1.2.2), but clients
 * match them byte for byte, so the client's spelling is put back in the top-level header block
 * (docs/vendor-apis.md, "Mimecast API 1.0" > "Case of addresses and header names"). Only the case
 * of ASCII names changes, never their length, so `raw` is rewritten in place.
 */
export function restoreHeaderNames(raw: Buffer, names: readonly string[]): Buffer {
  if (names.length === 0) return raw;
  const spellings = new Map<string, string[]>();
  for (const name of names) spellings.set(name.toLowerCase(), [...(spellings.get(name.toLowerCase()) ?? []), name]);
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return raw;
  let start = 0;
  // latin1 maps each byte to one char, so string offsets are byte offsets.
  for (const line of raw.toString('latin1', 0, end).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith(' ') && !line.startsWith('\t')) {
      const queue = spellings.get(line.slice(0, colon).toLowerCase());
      // Repeated fields take the client's spellings in order; the last one covers any extra.
      const spelling = queue && queue.length > 1 ? queue.shift() : queue?.[0];
      if (spelling !== undefined && spelling.length === colon) raw.write(spelling, start, 'latin1');
    }
    start += line.length + 2;
  }
  return raw;
}
