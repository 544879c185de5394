/**
 * Users' mailboxes as every dialect sees them (Graph folders, LINE WORKS mailbox endpoints, Sent
 * copies): the rules live here (a Sent copy gets its own blob, a deleted entry's blob goes when
 * nothing else uses it), the rows in the store.
 */
import { newId } from '../core/ids.js';
import type { AcceptedMessage } from '../core/message.js';
import type { Clock } from '../core/ports.js';
import {
  MAILBOX_FOLDER,
  type MailboxCursor,
  type MailboxEntry,
  type MailboxFolder,
  type MailboxPage,
  type MailboxSummary,
  type NumberedMailboxEntry,
} from '../core/storage/mailbox-store.js';
import type { Store } from '../core/storage/store.js';
import type { FiledHeaders } from '../mime/mailbox-summary.js';

export interface MailboxService {
  /**
   * Files a copy of an accepted message in the sender's Sent folder (`folder`: elsewhere, e.g.
   * LINE WORKS Tracking). The copy gets its own blob, since retention purges the message's blob on
   * its own schedule while a mailbox copy lives until its owner deletes it; `blobKey` reuses
   * another copy's blob; `ownerMentioned` marks a copy whose sender @-mentioned themselves.
   */
  fileSentCopy(
    userId: string,
    accepted: AcceptedMessage,
    summary: MailboxSummary & FiledHeaders,
    options?: { folder?: MailboxFolder; blobKey?: string; ownerMentioned?: boolean },
  ): Promise<{ id: string; blobKey: string }>;
  /** One page of a folder (every folder when undefined), newest first; `ownerMentioned` keeps only copies that do (or do not) mention their owner. */
  page(userId: string, folder: string | undefined, page: { offset: number; limit: number; ownerMentioned?: boolean }): Promise<MailboxPage<MailboxEntry>>;
  entry(userId: string, id: string): Promise<MailboxEntry | undefined>;
  /** A page of numbered entries after `after` (LINE WORKS), with the folder's totals. */
  numberedPage(
    userId: string,
    folder: string,
    page: { after?: MailboxCursor; limit: number; unreadOnly: boolean },
  ): Promise<{ entries: NumberedMailboxEntry[]; total: number; unread: number }>;
  numbered(userId: string, mailId: number): Promise<NumberedMailboxEntry | undefined>;
  /** Sets read and/or Important; false when the user has no such entry. */
  setState(userId: string, entryId: string, change: { unread?: boolean; marked?: boolean }): Promise<boolean>;
  /** Deletes an entry, and its bytes unless another copy shares them; false when there was none. */
  remove(userId: string, entryId: string): Promise<boolean>;
  folderCounts(userId: string): Promise<Array<{ folder: string; total: number; unread: number; size: number }>>;
  /** The raw MIME of an entry. */
  content(entry: Pick<MailboxEntry, 'blobKey'>): Promise<Buffer>;
}

export function createMailboxService(deps: { store: Store; clock: Clock }): MailboxService {
  const { store, clock } = deps;
  return {
    async fileSentCopy(userId, accepted, summary, options = {}) {
      const now = clock.now();
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
        ownerMentioned: options.ownerMentioned ?? false,
        ...summary,
      });
      return { id, blobKey };
    },
    page: (userId, folder, page) => store.listMailboxPage(userId, folder, page),
    entry: (userId, id) => store.getMailboxEntry(userId, id),
    numberedPage: (userId, folder, page) => store.listNumberedMailbox(userId, folder, page),
    numbered: (userId, mailId) => store.getNumberedMailboxEntry(userId, mailId),
    setState: (userId, entryId, change) => store.updateMailboxState(userId, entryId, change),
    async remove(userId, entryId) {
      const deleted = await store.deleteMailboxEntry(userId, entryId);
      if (deleted && !deleted.blobShared) await store.blobs.delete(deleted.blobKey);
      return deleted !== undefined;
    },
    folderCounts: (userId) => store.countMailboxFolders(userId),
    content: (entry) => store.blobs.get(entry.blobKey),
  };
}
