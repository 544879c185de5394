/** Mailbox folders shared by every dialect: Graph's Sent Items and LINE WORKS' Inbox/Sent read the same rows. */

/** Folder names as stored; dialects map their own ids (Graph `sentitems`, LINE WORKS `1`) onto these. */
export const MAILBOX_FOLDER = { inbox: 'inbox', sent: 'sent' } as const;
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
