/** The summary fields of a mailbox copy (folder listings), from parts or from client MIME. */
import { simpleParser, type AddressObject } from 'mailparser';
import type { ComposeContent, MailAddress } from '../core/message.js';
import type { MailboxAddress, MailboxSummary } from '../store/mailbox-store.js';

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

/** Tags and entities removed; good enough for a preview, never used as a body. */
function htmlPreview(html: string): string {
  return preview(
    html
      .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
}

/** As the local transport files From: `Name <addr>` without quoting, for display. */
const formatAddressHeader = (a: MailboxAddress): string => (a.name ? `${a.name} <${a.address}>` : a.address);

/** Graph's bodyPreview: the text body, or the HTML body without markup, collapsed and cut. */
export function bodyPreview(text: string | undefined, html: string | undefined): string {
  return text !== undefined ? preview(text) : htmlPreview(html ?? '');
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
    fromHeader: formatAddressHeader(mail.from),
    internetMessageId: accepted.internetMessageId,
    recipients: { to: copy(mail.to), cc: copy(mail.cc), bcc: copy(mail.bcc), replyTo: copy(mail.replyTo) },
    hasAttachments: mail.attachments.some((a) => !(a.inline ?? a.contentId !== undefined)),
    preview: bodyPreview(mail.text, mail.html),
    sentAt: Date.parse(accepted.date) || null,
    properties,
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailboxAddress[] {
  const out: MailboxAddress[] = [];
  const walk = (list: AddressObject['value']): void => {
    for (const entry of list) {
      if (entry.group) walk(entry.group);
      else if (entry.address) out.push(entry.name ? { address: entry.address, name: entry.name } : { address: entry.address });
    }
  };
  for (const object of value === undefined ? [] : Array.isArray(value) ? value : [value]) walk(object.value);
  return out;
}

/** The summary of client MIME (parsed in full: the bytes are already in memory and size-limited). */
export async function summaryOfRaw(raw: Buffer, properties: Record<string, unknown> = {}): Promise<MailboxSummary & FiledHeaders> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = addresses(parsed.from)[0];
  return {
    subject: parsed.subject ?? '',
    fromHeader: from ? formatAddressHeader(from) : '',
    internetMessageId: parsed.messageId ?? '',
    recipients: { to: addresses(parsed.to), cc: addresses(parsed.cc), bcc: addresses(parsed.bcc), replyTo: addresses(parsed.replyTo) },
    hasAttachments: parsed.attachments.some((a) => a.contentDisposition !== 'inline'),
    preview: bodyPreview(parsed.text, typeof parsed.html === 'string' ? parsed.html : undefined),
    sentAt: parsed.date ? parsed.date.getTime() : null,
    properties,
  };
}
