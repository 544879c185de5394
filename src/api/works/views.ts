/**
 * Mailbox entries as LINE WORKS mails. Listings use the summary filed with each entry; entries the
 * local transport filed carry only Subject and From, so their facts are read from the stored MIME
 * (mailparser), which is also where bodies and attachments always come from.
 */
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { parsedAddresses, parseMailbox } from '../../mime/address.js';
import { MAILBOX_FOLDER, type MailboxAddress, type NumberedMailboxEntry } from '../../core/storage/mailbox-store.js';
import type { MailboxEntry } from '../../core/storage/store.js';
import type { MailboxService } from '../../services/mailboxes.js';
import { MAIL_STATUS, SECURITY_LEVELS, WORKS_FOLDER_ID, type SecurityLevel, type WorksAttachmentFile, type WorksMail, type WorksMailAddress, type WorksMailFolder, type WorksMailSummary } from './schemas.js';
import { SECURITY_LEVEL_HEADER } from './translate.js';

/** The folders a Works mailbox shows, in the vendor's order and names. */
export const WORKS_FOLDERS = [
  { folder: MAILBOX_FOLDER.inbox, folderId: WORKS_FOLDER_ID.inbox, folderName: 'Inbox' },
  { folder: MAILBOX_FOLDER.sent, folderId: WORKS_FOLDER_ID.sent, folderName: 'Sent' },
  { folder: MAILBOX_FOLDER.tracking, folderId: WORKS_FOLDER_ID.tracking, folderName: 'Tracking' },
] as const;

export type WorksFolder = (typeof WORKS_FOLDERS)[number];

export function folderById(folderId: number): WorksFolder | undefined {
  return WORKS_FOLDERS.find((f) => f.folderId === folderId);
}

function folderOf(entry: MailboxEntry): WorksFolder {
  return WORKS_FOLDERS.find((f) => f.folder === entry.folder) ?? WORKS_FOLDERS[0];
}

/** Folder counts as the vendor lists them; folders without mail count zero. */
export function folderViews(counts: Array<{ folder: string; total: number; unread: number; size: number }>): WorksMailFolder[] {
  return WORKS_FOLDERS.map((f) => {
    const c = counts.find((x) => x.folder === f.folder);
    return { folderId: f.folderId, folderType: 'S', folderName: f.folderName, unreadMailCount: c?.unread ?? 0, mailCount: c?.total ?? 0, usage: c?.size ?? 0 };
  });
}

const address = (a: MailboxAddress): WorksMailAddress => ({ name: a.name ?? '', email: a.address });

function addresses(value: AddressObject | AddressObject[] | undefined): WorksMailAddress[] {
  return parsedAddresses(value).map(address);
}

function fromHeader(text: string): WorksMailAddress {
  const parsed = parseMailbox(text);
  return parsed ? address(parsed) : { name: '', email: text };
}

function statusOf(numbered: NumberedMailboxEntry): number {
  const { entry } = numbered;
  let status = 0;
  if (!entry.unread) status |= MAIL_STATUS.read;
  if (numbered.marked) status |= MAIL_STATUS.marked;
  if (entry.folder !== MAILBOX_FOLDER.inbox) status |= MAIL_STATUS.sent;
  return status;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The stored MIME, parsed. */
export async function parseEntry(mailboxes: Pick<MailboxService, 'content'>, entry: MailboxEntry): Promise<ParsedMail> {
  return simpleParser(await mailboxes.content(entry), { skipImageLinks: true, skipTextToHtml: true });
}

/** Entries whose filer wrote no summary (the local transport) have no Message-ID in it. */
const hasSummary = (entry: MailboxEntry): boolean => entry.internetMessageId !== '';

/** One mail of a folder listing. */
export async function summaryView(mailboxes: Pick<MailboxService, 'content'>, numbered: NumberedMailboxEntry): Promise<WorksMailSummary> {
  const { entry } = numbered;
  let to: WorksMailAddress[];
  let attachCount: number;
  let sentAt = entry.sentAt;
  if (hasSummary(entry)) {
    to = entry.recipients.to.map(address);
    attachCount = typeof entry.properties.attachCount === 'number' ? entry.properties.attachCount : entry.hasAttachments ? 1 : 0;
  } else {
    const parsed = await parseEntry(mailboxes, entry);
    to = addresses(parsed.to);
    attachCount = parsed.attachments.length;
    sentAt = parsed.date ? parsed.date.getTime() : null;
  }
  return {
    mailId: numbered.mailId,
    folderId: folderOf(entry).folderId,
    status: statusOf(numbered),
    from: fromHeader(entry.fromHeader),
    to,
    subject: entry.subject,
    receivedTime: iso(entry.receivedAt),
    sentTime: iso(sentAt ?? entry.receivedAt),
    size: entry.size,
    attachCount,
    isUnread: entry.unread,
    isImportant: numbered.marked,
  };
}

/** The part's declared charset (`Content-Type: …; charset=…`), if any. */
function charsetOf(part: Attachment): string | null {
  const header = part.headers.get('content-type') as { params?: Record<string, string> } | string | undefined;
  return typeof header === 'object' ? (header.params?.charset ?? null) : null;
}

/** Attachment ids are 1-based positions among the parsed parts: stable, as the stored MIME never changes. */
export function attachmentViews(parsed: ParsedMail): WorksAttachmentFile[] {
  return parsed.attachments.map((a, i) => {
    const view: WorksAttachmentFile = {
      attachmentId: i + 1,
      contentType: a.contentType,
      charset: charsetOf(a),
      filename: a.filename ?? `attachment-${i + 1}`,
      size: a.size,
      inline: a.contentDisposition === 'inline',
    };
    if (a.contentId) view.cid = a.contentId.replace(/^<(.*)>$/, '$1');
    return view;
  });
}

function securityLevelOf(parsed: ParsedMail, entry: MailboxEntry): SecurityLevel {
  const header = parsed.headers.get(SECURITY_LEVEL_HEADER.toLowerCase());
  const stored = entry.properties.securityLevel;
  const wanted = typeof header === 'string' ? header : typeof stored === 'string' ? stored : '';
  return SECURITY_LEVELS.find((l) => l.toLowerCase() === wanted.trim().toLowerCase()) ?? 'General';
}

/** One mail with its body, from the stored MIME; Bcc only the sender's own copy knows. */
export function mailView(numbered: NumberedMailboxEntry, parsed: ParsedMail): WorksMail {
  const { entry } = numbered;
  const html = typeof parsed.html === 'string';
  const from = addresses(parsed.from)[0] ?? fromHeader(entry.fromHeader);
  return {
    mailId: numbered.mailId,
    folderId: folderOf(entry).folderId,
    status: statusOf(numbered),
    from,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: entry.recipients.bcc.map(address),
    replyTo: addresses(parsed.replyTo),
    subject: parsed.subject ?? entry.subject,
    body: html ? (parsed.html as string) : (parsed.text ?? ''),
    contentType: html ? 'html' : 'text',
    receivedTime: iso(entry.receivedAt),
    sentTime: iso(parsed.date ? parsed.date.getTime() : entry.receivedAt),
    size: entry.size,
    isUnread: entry.unread,
    isImportant: numbered.marked,
    securityLevel: securityLevelOf(parsed, entry),
    internetMessageId: parsed.messageId ?? entry.internetMessageId,
  };
}
