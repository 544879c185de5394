/** Files a copy of an accepted message in the sender's Sent folder; shared by the HTTP dialects. */
import { newId } from '../core/ids.js';
import type { AcceptedMessage } from '../core/message.js';
import type { FiledHeaders } from '../mime/mailbox-summary.js';
import { MAILBOX_FOLDER, type MailboxFolder, type MailboxSummary } from '../core/storage/mailbox-store.js';
import type { Store } from '../core/storage/store.js';

/**
 * The copy gets its own blob: retention purges the message's blob on its own schedule, and a
 * mailbox copy lives until its owner deletes it. `options.folder` files it elsewhere (LINE WORKS
 * Tracking), `options.blobKey` reuses another copy's blob. Returns the mailbox entry id and blob.
 */
export async function fileSentCopy(
  store: Pick<Store, 'blobs' | 'addToMailbox'>,
  userId: string,
  accepted: AcceptedMessage,
  summary: MailboxSummary & FiledHeaders,
  now: number,
  options: { folder?: MailboxFolder; blobKey?: string } = {},
): Promise<{ id: string; blobKey: string }> {
  const id = newId(now);
  const blobKey = options.blobKey ?? `sent-${id}`;
  if (options.blobKey === undefined) await store.blobs.put(blobKey, accepted.raw);
  await store.addToMailbox({
    id,
    userId,
    folder: options.folder ?? MAILBOX_FOLDER.sent,
    messageId: accepted.id,
    blobKey,
    size: accepted.raw.length,
    receivedAt: now,
    unread: false,
    ...summary,
  });
  return { id, blobKey };
}
