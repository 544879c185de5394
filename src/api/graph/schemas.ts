/** Microsoft Graph wire shapes (message, recipient, attachment, upload session) in the vendor's names. */

export interface GraphEmailAddress {
  address?: string;
  name?: string;
}

export interface GraphRecipient {
  emailAddress: GraphEmailAddress;
}

export interface GraphItemBody {
  contentType: 'text' | 'html';
  content: string;
}

/** `microsoft.graph.message` as mailgate returns it; `$select` trims it to the chosen properties. */
export interface GraphMessage {
  '@odata.etag': string;
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  categories: string[];
  receivedDateTime: string;
  sentDateTime: string | null;
  hasAttachments: boolean;
  internetMessageId: string;
  subject: string;
  bodyPreview: string;
  importance: 'low' | 'normal' | 'high';
  parentFolderId: string;
  conversationId: string;
  isDeliveryReceiptRequested: boolean;
  isReadReceiptRequested: boolean;
  isRead: boolean;
  isDraft: boolean;
  body: GraphItemBody;
  sender: GraphRecipient | null;
  from: GraphRecipient | null;
  toRecipients: GraphRecipient[];
  ccRecipients: GraphRecipient[];
  bccRecipients: GraphRecipient[];
  replyTo: GraphRecipient[];
  flag: Record<string, unknown>;
  internetMessageHeaders?: Array<{ name: string; value: string }>;
}

/** `microsoft.graph.fileAttachment` as returned by `POST .../attachments`. */
export interface GraphFileAttachment {
  '@odata.type': '#microsoft.graph.fileAttachment';
  id: string;
  lastModifiedDateTime: string;
  name: string;
  contentType: string | null;
  size: number;
  isInline: boolean;
  contentId: string | null;
  contentBytes?: string;
}

/** `microsoft.graph.uploadSession`. */
export interface GraphUploadSession {
  '@odata.context'?: string;
  uploadUrl?: string;
  expirationDateTime: string;
  nextExpectedRanges: string[];
}

/** A page of a collection; `@odata.nextLink` is absent on the last page. */
export interface GraphCollection<T> {
  '@odata.context': string;
  value: T[];
  '@odata.nextLink'?: string;
}

/** Graph's date-time form: UTC, whole seconds. */
export function graphDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
