/**
 * Reads a message's text and attachment facts with mailparser's streaming parser. Attachment
 * bytes are counted and dropped as they stream by, so a 25 MB attachment costs no extra 25 MB;
 * the body text kept for rules and content policies is capped.
 */
import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';
import { Readable } from 'node:stream';
import type { AttachmentFact } from '../core/policy.js';

/** Enough text for every content rule; a longer body is judged by its start. */
const MAX_TEXT = 1024 * 1024;

export interface ContentFacts {
  text: string;
  html: boolean;
  attachments: AttachmentFact[];
  /** Lower-case header names present at the top level. */
  headers: Map<string, string>;
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text);
  if (value && typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return value instanceof Date ? value.toISOString() : String(value ?? '');
}

/** Parses the message; never throws for broken MIME (mailparser is lenient), only for I/O failures. */
export async function readContent(raw: Buffer): Promise<ContentFacts> {
  const parser = new MailParser({ skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: MAX_TEXT });
  const facts: ContentFacts = { text: '', html: false, attachments: [], headers: new Map() };
  parser.on('headers', (headers: Map<string, unknown>) => {
    for (const [name, value] of headers) facts.headers.set(name.toLowerCase(), headerText(value));
  });
  parser.on('data', (part: AttachmentStream | MessageText) => {
    if (part.type === 'attachment') {
      const attachment: AttachmentStream = part;
      let size = 0;
      attachment.content.on('data', (chunk: Buffer) => (size += chunk.length));
      attachment.content.on('end', () => {
        facts.attachments.push({ filename: attachment.filename ?? '', contentType: attachment.contentType, size });
        attachment.release?.();
      });
      return;
    }
    facts.html = typeof part.html === 'string';
    const text = [part.text ?? '', typeof part.html === 'string' ? part.html.replace(/<[^>]*>/g, ' ') : ''].join('\n');
    facts.text = text.slice(0, MAX_TEXT);
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', () => resolve());
    parser.on('error', reject);
    Readable.from([raw]).pipe(parser);
  });
  return facts;
}
