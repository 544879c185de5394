/** Message resources for drafts and mailbox copies: reads the stored rows (and MIME where the body is needed). */
import { simpleParser } from 'mailparser';
import type { DraftAttachmentRecord, DraftRecord } from '../../core/storage/draft-store.js';
import { MAILBOX_FOLDER } from '../../core/storage/mailbox-store.js';
import type { MailboxEntry } from '../../core/storage/store.js';
import type { DraftService } from '../../services/drafts.js';
import type { MailboxService } from '../../services/mailboxes.js';
import { bodyPreview, summaryOfRaw } from '../../mime/mailbox-summary.js';
import { parseMailbox } from '../../mime/address.js';
import { MENTIONS_META_KEY, mentionsAddress, mentionsIn } from '../../core/mentions.js';
import type { MessageView } from './message-resource.js';
import { mentionRecords } from './mentions.js';
import { graphProperties, messageFields, type Mailbox } from './translate.js';

/** Graph's well-known folder names ⇄ mailgate's folders. */
export const GRAPH_FOLDERS: Record<string, string> = { sentitems: MAILBOX_FOLDER.sent, inbox: MAILBOX_FOLDER.inbox };
const FOLDER_NAMES: Record<string, string> = { [MAILBOX_FOLDER.sent]: 'sentitems', [MAILBOX_FOLDER.inbox]: 'inbox' };

async function bodyOf(raw: Buffer): Promise<MessageView['body']> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  if (typeof parsed.html === 'string') return { html: true, content: parsed.html };
  return { html: false, content: parsed.text ?? '' };
}

/** A mailbox copy as a message; the MIME is parsed only when the body is wanted. */
export async function entryView(mailboxes: Pick<MailboxService, 'content'>, entry: MailboxEntry, withBody: boolean): Promise<MessageView> {
  const r = entry.recipients;
  const from = entry.fromHeader ? parseMailbox(entry.fromHeader) : undefined;
  return {
    id: entry.id,
    createdAt: entry.receivedAt,
    modifiedAt: entry.receivedAt,
    sentAt: entry.sentAt ?? entry.receivedAt,
    folder: FOLDER_NAMES[entry.folder] ?? entry.folder,
    isDraft: false,
    isRead: !entry.unread,
    subject: entry.subject,
    body: withBody ? await bodyOf(await mailboxes.content(entry)) : { html: false, content: '' },
    preview: entry.preview,
    hasAttachments: entry.hasAttachments,
    internetMessageId: entry.internetMessageId,
    from: from ?? (entry.fromHeader ? { address: entry.fromHeader } : undefined),
    sender: undefined,
    to: r.to,
    cc: r.cc,
    bcc: r.bcc,
    replyTo: r.replyTo,
    properties: entry.properties,
    mentions: mentionsIn(entry.properties[MENTIONS_META_KEY]),
    ownerMentioned: entry.ownerMentioned,
  };
}

/** A draft as a message: JSON drafts from their stored properties, MIME drafts from their bytes. */
export async function draftView(
  drafts: Pick<DraftService, 'mime'>,
  draft: DraftRecord,
  attachments: DraftAttachmentRecord[],
  mailbox: Mailbox,
): Promise<MessageView> {
  const base = {
    id: draft.id,
    createdAt: draft.createdAt,
    modifiedAt: draft.updatedAt,
    sentAt: null,
    folder: 'drafts',
    isDraft: true,
    isRead: true,
    internetMessageId: draft.internetMessageId,
  };
  if (draft.mimeBlobKey) {
    const raw = await drafts.mime({ ...draft, mimeBlobKey: draft.mimeBlobKey });
    const summary = await summaryOfRaw(raw);
    const from = parseMailbox(summary.fromHeader);
    return {
      ...base,
      subject: summary.subject,
      body: await bodyOf(raw),
      preview: summary.preview,
      hasAttachments: summary.hasAttachments,
      from: { address: from?.address ?? mailbox.user.email },
      sender: undefined,
      ...summary.recipients,
      properties: {},
      mentions: [],
      ownerMentioned: false,
    };
  }
  const fields = messageFields(draft.message, { beta: true });
  const own = mailbox.user.name ? { address: mailbox.user.email, name: mailbox.user.name } : { address: mailbox.user.email };
  const body = fields.body ?? { html: false, content: '' };
  // The ids and times the draft's mentions will keep once it is sent (drafts.ts).
  const mentions = mentionRecords(fields.mentions, fields.from ?? own, draft.createdAt, draft.id);
  return {
    ...base,
    subject: fields.subject,
    body,
    preview: body.html ? bodyPreview(undefined, body.content) : bodyPreview(body.content, undefined),
    hasAttachments: attachments.some((a) => !a.isInline),
    from: fields.from ?? own,
    sender: fields.sender,
    to: fields.to,
    cc: fields.cc,
    bcc: fields.bcc,
    replyTo: fields.replyTo,
    properties: graphProperties(fields, mentions),
    mentions,
    ownerMentioned: mentionsAddress(mentions, mailbox.user.email),
  };
}
