/** Mailbox folders shared by every dialect: Graph's Sent Items and LINE WORKS' Inbox/Sent read the same rows. */

/** Folder names as stored; dialects map their own ids (Graph `sentitems`, LINE WORKS `1`) onto these. */
export const MAILBOX_FOLDER = {
  inbox: 'inbox',
  sent: 'sent',
  /** LINE WORKS' Tracking: messages whose sender asked to follow their delivery (`isSaveTracking`). */
  tracking: 'tracking',
} as const;
export type MailboxFolder = (typeof MAILBOX_FOLDER)[keyof typeof MAILBOX_FOLDER];

export interface MailboxAddress {
  address: string;
  name?: string;
}

/** Header facts of a filed message, parsed once so that folder listings never parse MIME. */
export interface MailboxSummary {
  internetMessageId: string;
  recipients: { to: MailboxAddress[]; cc: MailboxAddress[]; bcc: MailboxAddress[]; replyTo: MailboxAddress[] };
  hasAttachments: boolean;
  /** The start of the text body. */
  preview: string;
  /** The Date header, epoch ms, when known. */
  sentAt: number | null;
  /** A dialect's facts about this copy (Graph importance, categories, flag …); opaque to the store. */
  properties: Record<string, unknown>;
}

export interface MailboxPage<T> {
  entries: T[];
  /** Entries in the folder, regardless of the page. */
  total: number;
}

/** A mailbox entry with its integer number (LINE WORKS `mailId`) and its Important mark. */
export interface NumberedMailboxEntry {
  mailId: number;
  marked: boolean;
  entry: MailboxEntry;
}

/** Where a page of a folder ended: the last entry's sort key (newest first). */
export interface MailboxCursor {
  receivedAt: number;
  id: string;
}

/** Read state, marks, numbering, deletion and counts of mailbox entries (the LINE WORKS mailbox endpoints). */
export interface MailboxStateStore {
  /** A page of a folder, newest first, after `after`; `total` and `unread` count the whole folder. */
  listNumberedMailbox(
    userId: string,
    folder: string,
    page: { after?: MailboxCursor; limit: number; unreadOnly: boolean },
  ): Promise<{ entries: NumberedMailboxEntry[]; total: number; unread: number }>;
  getNumberedMailboxEntry(userId: string, mailId: number): Promise<NumberedMailboxEntry | undefined>;
  /** Sets the read and/or Important state; false when the user has no such entry. */
  updateMailboxState(userId: string, entryId: string, change: { unread?: boolean; marked?: boolean }): Promise<boolean>;
  /** Removes an entry; answers its blob and whether anything else still uses that blob; undefined when there was no entry. */
  deleteMailboxEntry(userId: string, entryId: string): Promise<{ blobKey: string; blobShared: boolean } | undefined>;
  /** Entries, unread entries and bytes per folder that has any. */
  countMailboxFolders(userId: string): Promise<Array<{ folder: string; total: number; unread: number; size: number }>>;
}

/** A message filed in a user's folder; the raw MIME is the blob `blobKey`. */
export interface MailboxEntry extends MailboxSummary {
  id: string;
  userId: string;
  folder: string;
  messageId: string | null;
  blobKey: string;
  subject: string;
  fromHeader: string;
  size: number;
  receivedAt: number;
  unread: boolean;
  /** The owner's address is among the message's @-mentions (Graph `mentionsPreview.isMentioned`). */
  ownerMentioned: boolean;
}

/** Summary fields a filer does not know default to empty; a copy mentions its owner only when the filer says so. */
export type NewMailboxEntry = Omit<MailboxEntry, keyof MailboxSummary | 'ownerMentioned'> & Partial<MailboxSummary> & { ownerMentioned?: boolean };
