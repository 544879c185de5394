/** Message-finder search, dialect-neutral: criteria checked into a store search, and one result row per message. */
import { MailgateError } from '../core/errors.js';
import { MESSAGE_STATUS, ROUTE, type MessageStatus, type Route } from '../core/tracking.js';
import type { EventRecord, MessageRecord, RecipientRecord } from '../core/storage/store.js';
import type { MessageSearch } from '../core/storage/tracking-store.js';
import { recipientNamesOf, spamInfoOf } from './inbound-facts.js';
import { hasAttachments, type ContentAddress, type ContentSummary } from './message-content.js';
import { statusInfo, trackingStatusOf, type TrackingStatus } from './message-trace.js';

/** Statuses whose `info` line comes from the event log (hold reason, reviewer). */
export const EXPLAINED_BY_EVENTS: readonly TrackingStatus[] = ['held', 'rejected'];

/** Search input after a dialect parsed its wire format: the store's filters, unchecked; times are epoch ms. */
export type SearchCriteria = Partial<Omit<MessageSearch, 'limit' | 'after'>> & {
  pageSize?: number;
  pageToken?: string;
};

/** One search hit (docs/vendor-apis.md#mimecast-api-10 `trackedEmails` facts). */
export interface TrackedMessage {
  id: string;
  internetMessageId: string;
  status: TrackingStatus;
  info: string;
  envelopeFrom: string;
  from: ContentAddress | null;
  to: ContentAddress[];
  receivedAt: number;
  sentAt: number | null;
  subject: string;
  senderIp: string | null;
  hasAttachments: boolean;
  route: string;
  /** The way in (dialect) the message arrived by. */
  source: string;
  spamScore: number | null;
  detectionLevel: string | null;
}

export const DEFAULT_WINDOW_MS = 24 * 3_600_000;
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 500;

/** Message-IDs are stored with their angle brackets; clients paste them with or without. */
export function normalizeMessageId(value: string): string {
  const bare = value.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

/** The keyset cursor of the next page: opaque to clients. */
export function encodePageToken(message: Pick<MessageRecord, 'receivedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([message.receivedAt, message.id])).toString('base64url');
}

function decodePageToken(token: string): { receivedAt: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { receivedAt: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the error below: a token we did not issue.
  }
  throw new MailgateError('invalid_value', 'pageToken was not issued by this search', 'pageToken');
}

const ROUTES: readonly string[] = Object.values(ROUTE);

export function isRoute(value: string): value is Route {
  return ROUTES.includes(value);
}

const STATUSES: readonly string[] = Object.values(MESSAGE_STATUS);

export function isMessageStatus(value: string): value is MessageStatus {
  return STATUSES.includes(value);
}

/** Checks criteria and fills defaults (the last 24 hours, 25 per page); field names are the neutral ones. */
export function toMessageSearch(criteria: SearchCriteria, now: number): MessageSearch {
  const end = criteria.end ?? (criteria.start !== undefined ? Math.max(now, criteria.start) : now);
  const start = criteria.start ?? end - DEFAULT_WINDOW_MS;
  if (start > end) throw new MailgateError('invalid_value', 'start must not be after end', 'start');
  const limit = criteria.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new MailgateError('invalid_value', `pageSize must be between 1 and ${MAX_PAGE_SIZE}`, 'pageSize');
  }
  const search: MessageSearch = { start, end, limit };
  const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const messageId = text(criteria.internetMessageId);
  if (messageId !== undefined) search.internetMessageId = normalizeMessageId(messageId);
  const from = text(criteria.from);
  if (from !== undefined) search.from = from;
  const to = text(criteria.to);
  if (to !== undefined) search.to = to;
  const subject = text(criteria.subject);
  if (subject !== undefined) search.subject = subject;
  const senderIp = text(criteria.senderIp);
  if (senderIp !== undefined) search.senderIp = senderIp;
  if (criteria.route !== undefined) search.route = criteria.route;
  if (criteria.status !== undefined) search.status = criteria.status;
  const source = text(criteria.source);
  if (source !== undefined) search.source = source;
  if (criteria.order !== undefined) search.order = criteria.order;
  if (criteria.pageToken !== undefined) search.after = decodePageToken(criteria.pageToken);
  return search;
}

/**
 * A search row from the message, its recipients and its content summary; `events` explain held
 * and rejected messages (why, by whom) and may be empty for the others.
 */
export function trackedMessage(
  message: MessageRecord,
  recipients: readonly RecipientRecord[],
  summary: ContentSummary,
  events: readonly EventRecord[],
): TrackedMessage {
  const status = trackingStatusOf(recipients.map((r) => r.status));
  const spam = spamInfoOf(message, events);
  const envelopeTo = recipients.map((r) => ({ address: r.address, name: '' }));
  // Header names are nicer, but Bcc and envelope-only recipients are only in the envelope.
  const kept = recipientNamesOf(message);
  const named = new Map([...summary.to, ...summary.cc].filter((a) => a.name !== '').map((a) => [a.address.toLowerCase(), a.name]));
  for (const [address, name] of kept) if (!named.has(address)) named.set(address, name);
  return {
    id: message.id,
    internetMessageId: message.internetMessageId,
    status,
    info: statusInfo(status, recipients, events),
    envelopeFrom: message.mailFrom,
    from: summary.from,
    to: envelopeTo.map((a) => ({ address: a.address, name: named.get(a.address.toLowerCase()) ?? '' })),
    receivedAt: message.receivedAt,
    sentAt: summary.sentAt,
    subject: message.subject,
    senderIp: message.senderIp,
    hasAttachments: hasAttachments(summary),
    route: message.route,
    source: message.source,
    spamScore: spam?.spamScore ?? null,
    detectionLevel: spam?.detectionLevel ?? null,
  };
}
