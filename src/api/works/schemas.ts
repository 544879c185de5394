/** LINE WORKS mail response shapes in the vendor's wire names (docs/vendor-apis.md#line-works-api-20). */

/** Folder ids as the vendor numbers its system folders. */
export const WORKS_FOLDER_ID = { inbox: 0, sent: 1, tracking: 2 } as const;

/** Bits of a mail's `status` (vendor: "use the bit AND operator"). */
export const MAIL_STATUS = { read: 0x4, marked: 0x20, sent: 0x100 } as const;

/** the LINE WORKS Send mail page (docs/vendor-apis.md#sending) `securityLevel` values. */
export const SECURITY_LEVELS = ['General', 'Restricted', 'Confidential', 'Non-business'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

export interface WorksMailAddress {
  name: string;
  email: string;
}

export interface WorksMailFolder {
  folderId: number;
  folderType: 'S';
  folderName: string;
  unreadMailCount: number;
  mailCount: number;
  /** Bytes of mail in the folder. */
  usage: number;
}

/** A mail in a folder listing. */
export interface WorksMailSummary {
  mailId: number;
  folderId: number;
  status: number;
  from: WorksMailAddress;
  to: WorksMailAddress[];
  subject: string;
  receivedTime: string;
  sentTime: string;
  size: number;
  attachCount: number;
  isUnread: boolean;
  isImportant: boolean;
}

export interface WorksAttachmentFile {
  attachmentId: number;
  contentType: string;
  charset: string | null;
  filename: string;
  size: number;
  inline: boolean;
  cid?: string;
}

/** Per-recipient delivery facts of a Tracking mail (`isSaveTracking`), from the gateway's tracking records. */
export interface WorksTrackingEntry {
  email: string;
  status: string;
  reply: string | null;
  updatedTime: string;
}

export interface WorksMail extends Omit<WorksMailSummary, 'attachCount'> {
  cc: WorksMailAddress[];
  bcc: WorksMailAddress[];
  replyTo: WorksMailAddress[];
  body: string;
  contentType: 'html' | 'text';
  securityLevel: SecurityLevel;
  internetMessageId: string;
  tracking?: WorksTrackingEntry[];
}
