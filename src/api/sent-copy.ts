/** Files a copy of an accepted message in the sender's Sent folder; shared by the HTTP dialects. */
import { newId } from '../core/ids.js';
import type { AcceptedMessage } from '../core/message.js';
import type { FiledHeaders } from '../mime/mailbox-summary.js';
import { MAILBOX_FOLDER, type MailboxSummary } from '../store/mailbox-store.js';
import type { Store } from '../store/store.js';

/**
 * The copy gets its own blob: retention purges the message's blob on its own schedule, and a
 * mailbox copy lives until its owner deletes it. Returns the mailbox entry id.
 */
export async function fileSentCopy(
  store: Pick<Store, 'blobs' | 'addToMailbox'>,
  userId: string,
  accepted: AcceptedMessage,
  summary: MailboxSummary & FiledHeaders,
  now: number,
): Promise<string> {
  const id = newId(now);
  const blobKey = `sent-${id}`;
  await store.blobs.put(blobKey, accepted.raw);
  await store.addToMailbox({
    id,
    userId,
    folder: MAILBOX_FOLDER.sent,
    messageId: accepted.id,
    blobKey,
    size: accepted.raw.length,
    receivedAt: now,
    unread: false,
    ...summary,
  });
  return id;
}
