/** Conversions between files, messages, recipients, events and table rows. */
import type { NewEvent, NewMessage, NewRecipient } from '../core/ports.js';
import { messageStatusOf, type EventKind, type RecipientStatus } from '../core/tracking.js';
import type { EventRecord, FileRecord, MessageRecord, RecipientRecord } from '../core/storage/store.js';
import { nullableNumber, type Row, type Selected } from './row-types.js';

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
/** Event rows of one write: with a write id, a retry of the same write conflicts instead of appending twice. */
export const writtenEventRows = (events: readonly NewEvent[], writeId: string | undefined) =>
  events.map((e, i) => ({ ...eventRow(e), write_id: writeId ?? null, write_seq: writeId === undefined ? null : i }));
export const toEvent = (r: Selected<'events'>): EventRecord => ({
  id: Number(r.id),
  messageId: r.message_id,
  recipientId: r.recipient_id,
  kind: r.kind as EventKind,
  at: Number(r.at),
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});
