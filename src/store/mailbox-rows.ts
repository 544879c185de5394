/** Conversions between mailbox entries and table rows. */
import type { MailboxSummary } from '../core/storage/mailbox-store.js';
import type { MailboxEntry, NewMailboxEntry } from '../core/storage/store.js';
import type { Row, Selected } from './row-types.js';

const NO_RECIPIENTS: MailboxSummary['recipients'] = { to: [], cc: [], bcc: [], replyTo: [] };

export const mailboxRow = (e: NewMailboxEntry): Row<'mailbox_entries'> => ({
  id: e.id,
  user_id: e.userId,
  folder: e.folder,
  message_id: e.messageId,
  blob_key: e.blobKey,
  subject: e.subject,
  from_header: e.fromHeader,
  size: e.size,
  received_at: e.receivedAt,
  unread: e.unread ? 1 : 0,
  internet_message_id: e.internetMessageId ?? '',
  recipients: JSON.stringify(e.recipients ?? NO_RECIPIENTS),
  has_attachments: e.hasAttachments ? 1 : 0,
  preview: e.preview ?? '',
  sent_at: e.sentAt ?? null,
  properties: JSON.stringify(e.properties ?? {}),
  owner_mentioned: e.ownerMentioned ? 1 : 0,
});
export const toMailboxEntry = (r: Selected<'mailbox_entries'>): MailboxEntry => ({
  id: r.id,
  userId: r.user_id,
  folder: r.folder,
  messageId: r.message_id,
  blobKey: r.blob_key,
  subject: r.subject,
  fromHeader: r.from_header,
  size: Number(r.size),
  receivedAt: Number(r.received_at),
  unread: Boolean(r.unread),
  internetMessageId: r.internet_message_id,
  recipients: { ...NO_RECIPIENTS, ...(JSON.parse(r.recipients) as Partial<MailboxSummary['recipients']>) },
  hasAttachments: Boolean(r.has_attachments),
  preview: r.preview,
  sentAt: r.sent_at === null ? null : Number(r.sent_at),
  properties: JSON.parse(r.properties) as Record<string, unknown>,
  ownerMentioned: Boolean(r.owner_mentioned),
});
