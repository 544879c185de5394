/** Conversions between domain records and table rows, shared by every SQL backend. */
import type { NewEvent, NewMessage, NewRecipient } from '../core/ports.js';
import { messageStatusOf, type EventKind, type RecipientStatus } from '../core/tracking.js';
import type { Database } from './schema.js';
import type { LitigationHoldRecord } from '../core/storage/tracking-store.js';
import type { DraftAttachmentRecord, DraftRecord, UploadSessionRecord } from '../core/storage/draft-store.js';
import type { MailboxSummary } from '../core/storage/mailbox-store.js';
import type { OAuthClientRecord, RefreshTokenRecord, SigningKeyRecord } from '../core/storage/oauth-store.js';
import type { AuthorizationCodeRecord, ServiceAccountRecord } from '../core/storage/oauth-grant-store.js';
import type {
  ApiAppRecord,
  ApiKeyRecord,
  DkimKeyRecord,
  EventRecord,
  FileRecord,
  MailboxEntry,
  MessageRecord,
  NewMailboxEntry,
  RecipientRecord,
  UserRecord,
} from '../core/storage/store.js';

type Row<T extends keyof Database> = Database[T];
type Selected<T extends keyof Database> = { [K in keyof Row<T>]: Row<T>[K] extends { __select__: infer S } ? S : Row<T>[K] };

/** PostgreSQL returns BIGINT as a string; both backends may return null. */
const nullableNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** The case-insensitive lookup key of an address (users.email_key). */
export const emailKey = (email: string): string => email.trim().toLowerCase();

export const userRow = (u: UserRecord): Row<'users'> => ({
  id: u.id,
  // The spelling the user was created with; matching goes through email_key (migration 0012).
  email: u.email,
  email_key: emailKey(u.email),
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
  used_at: null,
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
  // A policy may have held some recipients at acceptance.
  status: messageStatusOf(m.recipients.map((r) => r.status)),
  received_at: m.receivedAt,
  expires_at: m.expiresAt,
  meta: JSON.stringify(m.meta),
  purge_at: m.purgeAt ?? null,
  original_purge_at: m.purgeAt ?? null,
  purged_at: null,
  sender_ip: m.senderIp ?? null,
  summary: null,
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
  purgeAt: nullableNumber(r.purge_at),
  originalPurgeAt: nullableNumber(r.original_purge_at),
  purgedAt: nullableNumber(r.purged_at),
  senderIp: r.sender_ip,
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

export const litigationHoldRow = (h: LitigationHoldRecord): Row<'litigation_holds'> => ({
  id: h.id,
  message_id: h.messageId,
  address: h.address === null ? null : h.address.toLowerCase(),
  description: h.description,
  created_by: h.createdBy,
  created_at: h.createdAt,
  expires_at: h.expiresAt,
  released_at: h.releasedAt,
  released_by: h.releasedBy,
});
export const toLitigationHold = (r: Selected<'litigation_holds'>): LitigationHoldRecord => ({
  id: r.id,
  messageId: r.message_id,
  address: r.address,
  description: r.description,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  expiresAt: nullableNumber(r.expires_at),
  releasedAt: nullableNumber(r.released_at),
  releasedBy: r.released_by,
});

export const oauthClientRow = (c: OAuthClientRecord): Row<'oauth_clients'> => ({
  client_id: c.clientId,
  name: c.name,
  secret_hash: c.secretHash,
  permissions: JSON.stringify(c.permissions),
  created_at: c.createdAt,
  user_id: c.userId ?? null,
});
export const toOAuthClient = (r: Selected<'oauth_clients'>): OAuthClientRecord => ({
  clientId: r.client_id,
  name: r.name,
  secretHash: r.secret_hash,
  permissions: JSON.parse(r.permissions) as string[],
  createdAt: Number(r.created_at),
  ...(r.user_id === null ? {} : { userId: r.user_id }),
});

export const signingKeyRow = (k: SigningKeyRecord): Row<'signing_keys'> => ({
  kid: k.kid,
  algorithm: k.algorithm,
  private_key_enc: k.privateKeyEnc,
  public_jwk: JSON.stringify(k.publicJwk),
  created_at: k.createdAt,
});
export const toSigningKey = (r: Selected<'signing_keys'>): SigningKeyRecord => ({
  kid: r.kid,
  algorithm: r.algorithm,
  privateKeyEnc: r.private_key_enc,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  createdAt: Number(r.created_at),
});

export const refreshTokenRow = (t: RefreshTokenRecord): Row<'refresh_tokens'> => ({
  token_hash: t.tokenHash,
  client_id: t.clientId,
  user_id: t.userId,
  audience: t.audience,
  scopes: JSON.stringify(t.scopes),
  expires_at: t.expiresAt,
  created_at: t.createdAt,
});
export const toRefreshToken = (r: Selected<'refresh_tokens'>): RefreshTokenRecord => ({
  tokenHash: r.token_hash,
  clientId: r.client_id,
  userId: r.user_id,
  audience: r.audience,
  scopes: JSON.parse(r.scopes) as string[],
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
});

export const draftRow = (d: DraftRecord): Row<'drafts'> => ({
  id: d.id,
  user_id: d.userId,
  message: JSON.stringify(d.message),
  mime_blob_key: d.mimeBlobKey,
  internet_message_id: d.internetMessageId,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
});
export const toDraft = (r: Selected<'drafts'>): DraftRecord => ({
  id: r.id,
  userId: r.user_id,
  message: JSON.parse(r.message) as Record<string, unknown>,
  mimeBlobKey: r.mime_blob_key,
  internetMessageId: r.internet_message_id,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export const draftAttachmentRow = (a: DraftAttachmentRecord): Row<'draft_attachments'> => ({
  id: a.id,
  draft_id: a.draftId,
  name: a.name,
  content_type: a.contentType,
  content_id: a.contentId,
  is_inline: a.isInline ? 1 : 0,
  size: a.size,
  blob_keys: JSON.stringify(a.blobKeys),
  created_at: a.createdAt,
});
export const toDraftAttachment = (r: Selected<'draft_attachments'>): DraftAttachmentRecord => ({
  id: r.id,
  draftId: r.draft_id,
  name: r.name,
  contentType: r.content_type,
  contentId: r.content_id,
  isInline: Boolean(r.is_inline),
  size: Number(r.size),
  blobKeys: JSON.parse(r.blob_keys) as string[],
  createdAt: Number(r.created_at),
});

/** The owner (`user_id`) is not part of it: the insert takes it from the draft. */
export const uploadSessionRow = (u: UploadSessionRecord): Omit<Row<'upload_sessions'>, 'user_id'> => ({
  id: u.id,
  draft_id: u.draftId,
  name: u.name,
  content_type: u.contentType,
  content_id: u.contentId,
  is_inline: u.isInline ? 1 : 0,
  size: u.size,
  received: u.received,
  chunks: u.chunks,
  expires_at: u.expiresAt,
  created_at: u.createdAt,
  client_id: u.clientId ?? null,
});
export const toUploadSession = (r: Selected<'upload_sessions'>): UploadSessionRecord => ({
  id: r.id,
  draftId: r.draft_id,
  name: r.name,
  contentType: r.content_type,
  contentId: r.content_id,
  isInline: Boolean(r.is_inline),
  size: Number(r.size),
  received: Number(r.received),
  chunks: Number(r.chunks),
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
  userId: r.user_id,
  clientId: r.client_id,
});

export const authorizationCodeRow = (c: AuthorizationCodeRecord): Row<'authorization_codes'> => ({
  code_hash: c.codeHash,
  client_id: c.clientId,
  user_id: c.userId,
  redirect_uri: c.redirectUri,
  audience: c.audience,
  scopes: JSON.stringify(c.scopes),
  expires_at: c.expiresAt,
  created_at: c.createdAt,
});
export const toAuthorizationCode = (r: Selected<'authorization_codes'>): AuthorizationCodeRecord => ({
  codeHash: r.code_hash,
  clientId: r.client_id,
  userId: r.user_id,
  redirectUri: r.redirect_uri,
  audience: r.audience,
  scopes: JSON.parse(r.scopes) as string[],
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
});

export const serviceAccountRow = (a: ServiceAccountRecord): Row<'oauth_service_accounts'> => ({
  client_id: a.clientId,
  account_id: a.accountId,
  public_jwk: JSON.stringify(a.publicJwk),
  created_at: a.createdAt,
});
export const toServiceAccount = (r: Selected<'oauth_service_accounts'>): ServiceAccountRecord => ({
  clientId: r.client_id,
  accountId: r.account_id,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  createdAt: Number(r.created_at),
});
