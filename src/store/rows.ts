/** Conversions between domain records and table rows, shared by every SQL backend. */
import type { NewEvent, NewMessage, NewRecipient } from '../core/ports.js';
import type { EventKind, RecipientStatus } from '../core/tracking.js';
import type { Database } from './schema.js';
import type {
  ApiAppRecord,
  ApiKeyRecord,
  DkimKeyRecord,
  EventRecord,
  FileRecord,
  MailboxEntry,
  MessageRecord,
  RecipientRecord,
  UserRecord,
} from './store.js';

type Row<T extends keyof Database> = Database[T];
type Selected<T extends keyof Database> = { [K in keyof Row<T>]: Row<T>[K] extends { __select__: infer S } ? S : Row<T>[K] };

export const userRow = (u: UserRecord): Row<'users'> => ({
  id: u.id,
  email: u.email.toLowerCase(),
  name: u.name,
  roles: JSON.stringify(u.roles),
  created_at: u.createdAt,
});
export const toUser = (r: Selected<'users'>): UserRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  roles: JSON.parse(r.roles) as string[],
  createdAt: Number(r.created_at),
});

export const apiAppRow = (a: ApiAppRecord): Row<'api_apps'> => ({
  app_id: a.appId,
  app_key_enc: a.appKeyEnc,
  name: a.name,
  created_at: a.createdAt,
});
export const toApiApp = (r: Selected<'api_apps'>): ApiAppRecord => ({
  appId: r.app_id,
  appKeyEnc: r.app_key_enc,
  name: r.name,
  createdAt: Number(r.created_at),
});

export const apiKeyRow = (k: ApiKeyRecord): Row<'api_keys'> => ({
  access_key: k.accessKey,
  secret_key_enc: k.secretKeyEnc,
  app_id: k.appId,
  user_id: k.userId,
  expires_at: k.expiresAt,
  created_at: k.createdAt,
});
export const toApiKey = (r: Selected<'api_keys'>): ApiKeyRecord => ({
  accessKey: r.access_key,
  secretKeyEnc: r.secret_key_enc,
  appId: r.app_id,
  userId: r.user_id,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  createdAt: Number(r.created_at),
});

export const dkimRow = (k: DkimKeyRecord): Row<'dkim_keys'> => ({
  domain: k.domain.toLowerCase(),
  selector: k.selector,
  algorithm: k.algorithm,
  private_key_enc: k.privateKeyEnc,
  public_key: k.publicKey,
  created_at: k.createdAt,
});
export const toDkimKey = (r: Selected<'dkim_keys'>): DkimKeyRecord => ({
  domain: r.domain,
  selector: r.selector,
  algorithm: r.algorithm as DkimKeyRecord['algorithm'],
  privateKeyEnc: r.private_key_enc,
  publicKey: r.public_key,
  createdAt: Number(r.created_at),
});

export const fileRow = (f: FileRecord): Row<'files'> => ({
  id: f.id,
  user_id: f.userId,
  size: f.size,
  sha256: f.sha256,
  blob_key: f.blobKey,
  created_at: f.createdAt,
});
export const toFile = (r: Selected<'files'>): FileRecord => ({
  id: r.id,
  userId: r.user_id,
  size: Number(r.size),
  sha256: r.sha256,
  blobKey: r.blob_key,
  createdAt: Number(r.created_at),
});

export const messageRow = (m: NewMessage): Row<'messages'> => ({
  id: m.id,
  internet_message_id: m.internetMessageId,
  source: m.source,
  route: m.route,
  user_id: m.userId,
  mail_from: m.mailFrom,
  from_header: m.fromHeader,
  subject: m.subject,
  size: m.size,
  blob_key: m.blobKey,
  status: 'queued',
  received_at: m.receivedAt,
  expires_at: m.expiresAt,
  meta: JSON.stringify(m.meta),
});
export const toMessage = (r: Selected<'messages'>): MessageRecord => ({
  id: r.id,
  internetMessageId: r.internet_message_id,
  source: r.source,
  route: r.route,
  userId: r.user_id,
  mailFrom: r.mail_from,
  fromHeader: r.from_header,
  subject: r.subject,
  size: Number(r.size),
  blobKey: r.blob_key,
  status: r.status,
  receivedAt: Number(r.received_at),
  expiresAt: Number(r.expires_at),
  meta: JSON.parse(r.meta) as Record<string, unknown>,
});

export const recipientRow = (m: NewMessage, r: NewRecipient): Row<'recipients'> => ({
  id: r.id,
  message_id: m.id,
  address: r.address,
  domain: r.domain,
  kind: r.kind,
  transport: r.transport,
  status: r.status,
  attempts: 0,
  next_attempt_at: r.nextAttemptAt,
  lease_owner: null,
  lease_until: null,
  last_code: null,
  last_reply: null,
  updated_at: m.receivedAt,
});
export const toRecipient = (r: Selected<'recipients'>): RecipientRecord => ({
  id: r.id,
  messageId: r.message_id,
  address: r.address,
  domain: r.domain,
  kind: r.kind,
  transport: r.transport,
  status: r.status as RecipientStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  lastCode: r.last_code === null ? null : Number(r.last_code),
  lastReply: r.last_reply,
  updatedAt: Number(r.updated_at),
});

export const eventRow = (e: NewEvent) => ({
  message_id: e.messageId,
  recipient_id: e.recipientId ?? null,
  kind: e.kind,
  at: e.at,
  detail: JSON.stringify(e.detail ?? {}),
});
export const toEvent = (r: Selected<'events'>): EventRecord => ({
  id: Number(r.id),
  messageId: r.message_id,
  recipientId: r.recipient_id,
  kind: r.kind as EventKind,
  at: Number(r.at),
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});

export const mailboxRow = (e: MailboxEntry): Row<'mailbox_entries'> => ({
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
});
