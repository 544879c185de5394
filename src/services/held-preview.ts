/** What the console shows beside a held message: its spam score and the start of its text. */
import type { Store } from '../core/storage/store.js';
import { spamInfoOf } from '../tracking/inbound-facts.js';
import { readMessageContent } from '../tracking/message-content.js';

export interface HeldPreview {
  spamScore: number | null;
  /** The first characters of the text body (or of the HTML's text); '' once the content is purged. */
  preview: string;
}

const PREVIEW_CHARS = 200;

export async function heldPreview(store: Pick<Store, 'getMessage' | 'listEvents' | 'blobs'>, messageId: string): Promise<HeldPreview> {
  const message = await store.getMessage(messageId);
  if (!message) return { spamScore: null, preview: '' };
  const spam = spamInfoOf(message, await store.listEvents(messageId));
  let preview = '';
  if (message.purgedAt === null) {
    const content = await readMessageContent(await store.blobs.get(message.blobKey));
    const text = content.textBody || content.htmlBody.replace(/<[^>]*>/g, ' ');
    preview = text.replace(/\s+/g, ' ').trim().slice(0, PREVIEW_CHARS);
  }
  return { spamScore: spam?.spamScore ?? null, preview };
}
