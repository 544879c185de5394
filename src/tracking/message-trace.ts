/**
 * The dialect-neutral tracking record of one message, assembled by pure functions from what the
 * gateway stored: the message row, its recipients, the append-only event log, the content summary
 * and the litigation holds. Dialects (Mimecast get-message-info, the admin API) only render it.
 */
import type { HoldDecision } from '../core/policy.js';
import type { InboundConnection } from '../core/screening.js';
import type { DetectionLevel, SpamInfo } from '../core/spam-info.js';
import { parseMailbox } from '../mime/address.js';
import { EVENT_KIND, messageStatusOf, type EventKind, type RecipientStatus } from '../core/tracking.js';
import type { EventRecord, MessageRecord, RecipientRecord } from '../core/storage/store.js';
import type { LitigationHoldRecord } from '../core/storage/tracking-store.js';
import { apiClientOf, connectionOf, detectionLevelOf, holdDecisionOf, spamInfoOf, type ApiClient } from './inbound-facts.js';
import type { ContentAddress, ContentSummary } from './message-content.js';
import { adjustmentDays, DAY_MS, purgeBasis } from './retention.js';

/** Message statuses as tracking reports them (docs/vendor-apis.md#mimecast-api-10 leaves the set to us). */
export const TRACKING_STATUS = {
  processing: 'processing',
  held: 'held',
  delivered: 'delivered',
  partial: 'partially_delivered',
  bounced: 'bounced',
  rejected: 'rejected',
} as const;
export type TrackingStatus = (typeof TRACKING_STATUS)[keyof typeof TRACKING_STATUS];

/** One delivery attempt as the worker recorded it in an `attempt` event. */
export interface AttemptView {
  at: number;
  transport: string;
  remoteHost: string;
  remoteIp: string;
  greeting: string;
  tlsProtocol: string;
  tlsCipher: string;
  bytes: number;
  startedAt: number;
  endedAt: number;
  code: number | null;
  reply: string;
  outcome: string;
}

export interface RecipientTrace {
  id: string;
  address: string;
  kind: string;
  status: RecipientStatus;
  attempts: number;
  /** The most recent attempt: for a settled recipient, the one that settled it. */
  lastAttempt: AttemptView | null;
  /** The latest event that changed this recipient's state (queued, held, deferred, delivered, …). */
  lastEvent: { kind: EventKind; at: number } | null;
  hold: HoldDecision | null;
}

export interface AuditView {
  at: number;
  /** viewed, released, rejected, purged, litigation_hold, litigation_hold_released. */
  type: string;
  by: string;
  info: string;
}

export interface RetentionView {
  purgeAt: number | null;
  originalPurgeAt: number | null;
  adjustmentDays: number;
  purgedAt: number | null;
  basedOn: string;
  holds: LitigationHoldRecord[];
  audits: AuditView[];
}

export interface ContentView extends ContentSummary {
  /** False once the raw message is purged (bodies are then empty). */
  available: boolean;
  textBody: string;
  htmlBody: string;
}

/** Everything tracking knows about one message. */
export interface MessageTrace {
  id: string;
  internetMessageId: string;
  status: TrackingStatus;
  info: string;
  source: string;
  route: string;
  receivedAt: number;
  envelopeFrom: string;
  fromHeader: string;
  subject: string;
  size: number;
  senderIp: string | null;
  /** The SMTP connection the message arrived on; null for API submissions. */
  connection: InboundConnection | null;
  /** Who submitted it through an API, when known. */
  principal: string | null;
  /** The HTTP client of an API submission, when recorded. */
  client: ApiClient | null;
  content: ContentView;
  recipients: RecipientTrace[];
  spamInfo: SpamInfo | null;
  /** The spam detection level in force for the message, scanned or not. */
  detectionLevel: DetectionLevel;
  retention: RetentionView;
  events: EventRecord[];
}

export interface TraceRecords {
  message: MessageRecord;
  recipients: readonly RecipientRecord[];
  events: readonly EventRecord[];
  summary: ContentSummary;
  bodies: { textBody: string; htmlBody: string } | undefined;
  holds: readonly LitigationHoldRecord[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

function attemptView(e: EventRecord): AttemptView {
  const d = e.detail;
  return {
    at: e.at,
    transport: str(d.transport),
    remoteHost: str(d.remoteHost),
    remoteIp: str(d.remoteIp),
    greeting: str(d.greeting),
    tlsProtocol: str(d.tlsProtocol),
    tlsCipher: str(d.tlsCipher),
    bytes: num(d.bytes, 0),
    startedAt: num(d.startedAt, e.at),
    endedAt: num(d.endedAt, e.at),
    code: typeof d.code === 'number' ? d.code : null,
    reply: str(d.reply),
    outcome: str(d.outcome),
  };
}

/** Events that move a recipient from one state to another. */
const STATE_EVENTS: ReadonlySet<EventKind> = new Set<EventKind>([
  EVENT_KIND.queued,
  EVENT_KIND.held,
  EVENT_KIND.released,
  EVENT_KIND.rejected,
  EVENT_KIND.deferred,
  EVENT_KIND.delivered,
  EVENT_KIND.bounced,
  EVENT_KIND.deleted,
]);

function recipientTrace(r: RecipientRecord, events: readonly EventRecord[]): RecipientTrace {
  const own = events.filter((e) => e.recipientId === r.id);
  const attempts = own.filter((e) => e.kind === EVENT_KIND.attempt);
  const last = attempts.at(-1);
  const state = own.filter((e) => STATE_EVENTS.has(e.kind)).at(-1);
  return {
    id: r.id,
    address: r.address,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastAttempt: last ? attemptView(last) : null,
    lastEvent: state ? { kind: state.kind, at: state.at } : null,
    hold: holdDecisionOf(events, r.id) ?? null,
  };
}

/** The message's overall status, from its recipients' states. */
export function trackingStatusOf(statuses: readonly RecipientStatus[]): TrackingStatus {
  const status = messageStatusOf(statuses);
  return status === 'queued' ? TRACKING_STATUS.processing : status === 'partial' ? TRACKING_STATUS.partial : status;
}

const said = (code: number | null, reply: string | null): string => [code ?? '', reply ?? ''].join(' ').trim();

/** One line explaining the status, as Mimecast's `info` does ("Envelope Rejected" for refused mail). */
export function statusInfo(status: TrackingStatus, recipients: readonly RecipientRecord[], events: readonly EventRecord[]): string {
  switch (status) {
    case 'processing': {
      const deferred = recipients.find((r) => r.status === 'deferred');
      return deferred ? `Deferred: ${said(deferred.lastCode, deferred.lastReply)}` : 'Queued for delivery';
    }
    case 'held': {
      const held = recipients.find((r) => r.status === 'held');
      const decision = held && holdDecisionOf(events, held.id);
      return decision ? `Held: ${decision.reason}` : 'Held for review';
    }
    case 'delivered':
      return 'Delivered';
    case 'partially_delivered': {
      const delivered = recipients.filter((r) => r.status === 'delivered').length;
      return `Delivered to ${delivered} of ${recipients.length} recipients`;
    }
    case 'bounced': {
      const bounced = recipients.find((r) => r.status === 'bounced');
      return bounced ? `Bounced: ${said(bounced.lastCode, bounced.lastReply)}` : 'Bounced';
    }
    case 'rejected': {
      // A reviewer's (or an expired hold's) rejection says who; otherwise the envelope was refused.
      const rejected = events.filter((e) => e.kind === EVENT_KIND.rejected).at(-1);
      if (!rejected) return 'Envelope Rejected';
      const operator = str(rejected.detail.operator);
      const reason = str(rejected.detail.message) || str(rejected.detail.reason);
      return `Rejected${operator ? ` by ${operator}` : ''}${reason ? `: ${reason}` : ''}`;
    }
  }
}

function auditOf(e: EventRecord): AuditView | undefined {
  const by = str(e.detail.operator) || str(e.detail.by);
  switch (e.kind) {
    case EVENT_KIND.viewed:
      return { at: e.at, type: 'viewed', by, info: `Tracking record viewed${e.detail.via ? ` via ${str(e.detail.via)}` : ''}` };
    case EVENT_KIND.released:
      return { at: e.at, type: 'released', by, info: 'Released from hold' };
    case EVENT_KIND.rejected: {
      const reason = str(e.detail.message) || str(e.detail.reasonType) || str(e.detail.reason);
      return { at: e.at, type: 'rejected', by, info: reason ? `Rejected: ${reason}` : 'Rejected' };
    }
    case EVENT_KIND.purged:
      return { at: e.at, type: 'purged', by: by || 'retention', info: 'Raw message and bodies purged' };
    default:
      return undefined;
  }
}

/** Audits of who viewed, released, rejected, purged or put the message on litigation hold. */
export function auditsOf(events: readonly EventRecord[], holds: readonly LitigationHoldRecord[]): AuditView[] {
  // A release or reject of several held recipients writes one event each; the audit lists the action once.
  const seen = new Set<string>();
  const fromEvents = events.flatMap((e) => {
    const audit = auditOf(e);
    if (!audit) return [];
    const key = `${audit.type}\u0000${audit.at}\u0000${audit.by}`;
    if (audit.type !== 'viewed' && seen.has(key)) return [];
    seen.add(key);
    return [audit];
  });
  const fromHolds = holds.map((h) => ({
    at: h.createdAt,
    type: 'litigation_hold',
    by: h.createdBy,
    info: h.description,
  }));
  return [...fromEvents, ...fromHolds].sort((a, b) => a.at - b.at);
}

/** A summary for a message whose raw content is gone and was never summarised: what the row itself says. */
export function fallbackSummary(message: MessageRecord, recipients: readonly RecipientRecord[]): ContentSummary {
  const parsed = parseMailbox(message.fromHeader);
  const from: ContentAddress | null = parsed
    ? { name: parsed.name ?? '', address: parsed.address }
    : message.fromHeader
      ? { name: '', address: message.fromHeader.trim() }
      : null;
  const listed = (kind: string) => recipients.filter((r) => r.kind === kind).map((r) => ({ address: r.address, name: '' }));
  return { sentAt: null, from, to: listed('to'), cc: listed('cc'), subject: message.subject, components: [] };
}

/** Assembles the tracking record; `recipients` and `events` as the store lists them (oldest first). */
export function buildMessageTrace(records: TraceRecords): MessageTrace {
  const { message, recipients, events, summary, bodies, holds } = records;
  const status = trackingStatusOf(recipients.map((r) => r.status));
  const received = events.find((e) => e.kind === EVENT_KIND.received);
  const spamInfo = spamInfoOf(message, events);
  const retentionDays = message.purgeAt === null ? 0 : Math.round((message.purgeAt - message.receivedAt) / DAY_MS);
  return {
    id: message.id,
    internetMessageId: message.internetMessageId,
    status,
    info: statusInfo(status, recipients, events),
    source: message.source,
    route: message.route,
    receivedAt: message.receivedAt,
    envelopeFrom: message.mailFrom,
    fromHeader: message.fromHeader,
    subject: message.subject,
    size: message.size,
    senderIp: message.senderIp,
    connection: connectionOf(message) ?? null,
    principal: received && typeof received.detail.principal === 'string' ? received.detail.principal : null,
    client: apiClientOf(message) ?? null,
    content: { ...summary, available: bodies !== undefined, textBody: bodies?.textBody ?? '', htmlBody: bodies?.htmlBody ?? '' },
    recipients: recipients.map((r) => recipientTrace(r, events)),
    spamInfo: spamInfo ?? null,
    detectionLevel: detectionLevelOf(message, spamInfo),
    retention: {
      purgeAt: message.purgeAt,
      originalPurgeAt: message.originalPurgeAt,
      adjustmentDays: adjustmentDays(message.purgeAt, message.originalPurgeAt),
      purgedAt: message.purgedAt,
      basedOn: purgeBasis(retentionDays, holds, message.purgedAt),
      holds: [...holds],
      audits: auditsOf(events, holds),
    },
    events: [...events],
  };
}
