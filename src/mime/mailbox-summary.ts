/** The summary fields of a mailbox copy (folder listings), from parts or from client MIME. */
import { simpleParser } from 'mailparser';
import type { ComposeContent, MailAddress } from '../core/message.js';
import type { MailboxAddress, MailboxSummary } from '../core/storage/mailbox-store.js';
import { displayMailbox, parsedAddresses } from './address.js';
import { previewTextOf } from './html-text.js';

/** Graph's bodyPreview length. */
const PREVIEW_CHARS = 255;

/** What a folder listing shows besides the summary: the header texts. */
export interface FiledHeaders {
  subject: string;
  fromHeader: string;
}

function preview(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, PREVIEW_CHARS);
}

/**
 * Graph's bodyPreview: the HTML body without markup when there is one (Exchange previews the body
 * it shows, and a text part may be our generated alternative), else the text body; collapsed and cut.
 */
export function bodyPreview(text: string | undefined, html: string | undefined): string {
  return preview(html !== undefined ? previewTextOf(html) : (text ?? ''));
}

const copy = (list: MailAddress[]): MailboxAddress[] => list.map((a) => (a.name ? { address: a.address, name: a.name } : { address: a.address }));

/** The summary of a message composed from `mail`, as ingest accepted it. */
export function summaryOfCompose(
  mail: ComposeContent,
  accepted: { internetMessageId: string; date: string },
  properties: Record<string, unknown> = {},
): MailboxSummary & FiledHeaders {
  return {
    subject: mail.subject,
    fromHeader: displayMailbox(mail.from),
    internetMessageId: accepted.internetMessageId,
    recipients: { to: copy(mail.to), cc: copy(mail.cc), bcc: copy(mail.bcc), replyTo: copy(mail.replyTo) },
    hasAttachments: mail.attachments.some((a) => !(a.inline ?? a.contentId !== undefined)),
    preview: bodyPreview(mail.text, mail.html),
    sentAt: Date.parse(accepted.date) || null,
    properties,
  };
}

/** The summary of client MIME (parsed in full: the bytes are already in memory and size-limited). */
export async function summaryOfRaw(raw: Buffer, properties: Record<string, unknown> = {}): Promise<MailboxSummary & FiledHeaders> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = parsedAddresses(parsed.from)[0];
  return {
    subject: parsed.subject ?? '',
    fromHeader: from ? displayMailbox(from) : '',
    internetMessageId: parsed.messageId ?? '',
    recipients: { to: parsedAddresses(parsed.to), cc: parsedAddresses(parsed.cc), bcc: parsedAddresses(parsed.bcc), replyTo: parsedAddresses(parsed.replyTo) },
    hasAttachments: parsed.attachments.some((a) => a.contentDisposition !== 'inline'),
    preview: bodyPreview(parsed.text, typeof parsed.html === 'string' ? parsed.html : undefined),
    sentAt: parsed.date ? parsed.date.getTime() : null,
    properties,
  };
}
