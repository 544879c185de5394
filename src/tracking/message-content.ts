/**
 * What a stored message contains, read from its raw MIME: header facts and the list of MIME
 * components (kept as a summary that outlives the purge), the bodies, and single components for
 * download by an administrator.
 */
import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { parsedAddresses } from '../mime/address.js';

export interface ContentAddress {
  address: string;
  name: string;
}

/** One MIME component, in the words of the Get Message Info page's `components` (docs/vendor-apis.md#message-tracking) (type such as "Email Primary Body Plain Text"). */
export interface ContentComponent {
  /** Position in this list; what the download route takes. */
  index: number;
  mimeType: string;
  type: string;
  name: string;
  extension: string;
  size: number;
}

/** The part of a message's content that tracking keeps after the raw message is purged. */
export interface ContentSummary {
  /** The Date header (epoch ms), when present and valid. */
  sentAt: number | null;
  from: ContentAddress | null;
  to: ContentAddress[];
  cc: ContentAddress[];
  subject: string;
  components: ContentComponent[];
}

export interface MessageContent {
  summary: ContentSummary;
  textBody: string;
  htmlBody: string;
}

export const COMPONENT_TYPE = {
  text: 'Email Primary Body Plain Text',
  html: 'Email Primary Body HTML',
  attachment: 'File Attachment',
  inline: 'Inline Attachment',
} as const;

const PARSE_OPTIONS = { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true } as const;

function addresses(field: AddressObject | AddressObject[] | undefined): ContentAddress[] {
  return parsedAddresses(field).map((a) => ({ address: a.address, name: a.name ?? '' }));
}

function extensionOf(name: string): string {
  return path.extname(name).replace(/^\./, '').toLowerCase();
}

interface ComponentWithContent extends ContentComponent {
  content: Buffer;
}

function componentsOf(parsed: ParsedMail): ComponentWithContent[] {
  const out: ComponentWithContent[] = [];
  const push = (c: Omit<ComponentWithContent, 'index' | 'extension' | 'size'>) =>
    out.push({ ...c, index: out.length, extension: extensionOf(c.name), size: c.content.length });
  if (typeof parsed.text === 'string') {
    push({ mimeType: 'text/plain', type: COMPONENT_TYPE.text, name: 'body.txt', content: Buffer.from(parsed.text) });
  }
  if (typeof parsed.html === 'string') {
    push({ mimeType: 'text/html', type: COMPONENT_TYPE.html, name: 'body.html', content: Buffer.from(parsed.html) });
  }
  for (const a of parsed.attachments) {
    const inline = a.contentDisposition === 'inline' || a.related === true;
    push({
      mimeType: a.contentType,
      type: inline ? COMPONENT_TYPE.inline : COMPONENT_TYPE.attachment,
      name: a.filename ?? 'Mail Attachment',
      content: a.content,
    });
  }
  return out;
}

async function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, PARSE_OPTIONS);
}

/** Reads headers, bodies and components from raw MIME. */
export async function readMessageContent(raw: Buffer): Promise<MessageContent> {
  const parsed = await parse(raw);
  const sent = parsed.date?.getTime();
  const [from] = addresses(parsed.from);
  const summary: ContentSummary = {
    sentAt: sent !== undefined && Number.isFinite(sent) ? sent : null,
    from: from ?? null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject ?? '',
    components: componentsOf(parsed).map(({ content: _content, ...c }) => c),
  };
  return {
    summary,
    textBody: typeof parsed.text === 'string' ? parsed.text : '',
    htmlBody: typeof parsed.html === 'string' ? parsed.html : '',
  };
}

/** One component's decoded bytes and description, or undefined when the index is out of range. */
export async function readComponent(raw: Buffer, index: number): Promise<ComponentWithContent | undefined> {
  return componentsOf(await parse(raw))[index];
}

/** Whether a summary lists any attachment (inline images count, as they are files too). */
export function hasAttachments(summary: ContentSummary): boolean {
  return summary.components.some((c) => c.type === COMPONENT_TYPE.attachment || c.type === COMPONENT_TYPE.inline);
}
