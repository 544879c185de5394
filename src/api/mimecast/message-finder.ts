/**
 * Mimecast message-finder wire format ⇄ the tracking model: search items into criteria, search
 * hits into `trackedEmails` (docs/vendor-apis.md#mimecast-api-10), tracking records into get-message-info (the Get Message Info page (docs/vendor-apis.md#message-tracking)).
 * Fields without meaning for a message get their type's empty value ('' / 0 / [] / {}).
 */
import { MailgateError } from '../../core/errors.js';
import { notScannedSpamInfo, type SpamInfo } from '../../core/spam-info.js';
import { EVENT_KIND, queuedReplyText } from '../../core/tracking.js';
import { COMPONENT_TYPE, type ContentComponent } from '../../tracking/message-content.js';
import type { AttemptView, MessageTrace, RecipientTrace } from '../../tracking/message-trace.js';
import { daysUntil } from '../../tracking/retention.js';
import { isRoute, type SearchCriteria, type TrackedMessage } from '../../tracking/search.js';
import { formatMimecastDate as date, parseMimecastDate } from './search-date.js';

type Item = Record<string, unknown>;

function isObject(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(item: Item, key: string, field: string): string | undefined {
  const value = item[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new MailgateError('invalid_type', `${field} must be a string`, field);
  return value;
}

/** A search `data` item (plus the request's pagination) as tracking criteria. */
export function searchCriteriaOf(item: Item, pagination: { pageSize?: number; pageToken?: string } | undefined): SearchCriteria {
  const criteria: SearchCriteria = {};
  // searchReason is free text Mimecast asks auditors for; it is accepted and checked, not required.
  optionalString(item, 'searchReason', 'searchReason');
  if (item.start !== undefined) criteria.start = parseMimecastDate(item.start, 'start');
  if (item.end !== undefined) criteria.end = parseMimecastDate(item.end, 'end');
  const messageId = optionalString(item, 'messageId', 'messageId');
  if (messageId !== undefined) criteria.internetMessageId = messageId;
  const route = optionalString(item, 'route', 'route');
  if (route !== undefined && route.toLowerCase() !== 'all') {
    const wanted = route.toLowerCase();
    if (!isRoute(wanted)) throw new MailgateError('invalid_value', 'route must be inbound, outbound, internal or all', 'route');
    criteria.route = wanted;
  }
  const advanced = item.advancedTrackAndTraceOptions;
  if (advanced !== undefined) {
    const field = 'advancedTrackAndTraceOptions';
    if (!isObject(advanced)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
    const from = optionalString(advanced, 'from', `${field}.from`);
    const to = optionalString(advanced, 'to', `${field}.to`);
    const subject = optionalString(advanced, 'subject', `${field}.subject`);
    const senderIp = optionalString(advanced, 'senderIP', `${field}.senderIP`);
    if (from !== undefined) criteria.from = from;
    if (to !== undefined) criteria.to = to;
    if (subject !== undefined) criteria.subject = subject;
    if (senderIp !== undefined) criteria.senderIp = senderIp;
  }
  if (pagination?.pageSize !== undefined) criteria.pageSize = pagination.pageSize;
  if (pagination?.pageToken !== undefined) criteria.pageToken = pagination.pageToken;
  return criteria;
}

/** One `trackedEmails` entry. */
export function renderTrackedEmail(t: TrackedMessage): Record<string, unknown> {
  return {
    id: t.id,
    status: t.status,
    info: t.info,
    fromEnv: { emailAddress: t.envelopeFrom },
    fromHdr: { displayableName: t.from?.name ?? '', emailAddress: t.from?.address ?? '' },
    to: t.to.map((a) => ({ displayableName: a.name, emailAddress: a.address })),
    received: date(t.receivedAt),
    sent: date(t.sentAt),
    subject: t.subject,
    senderIP: t.senderIp ?? '',
    attachments: t.hasAttachments,
    route: t.route,
    spamScore: t.spamScore ?? 0,
    detectionLevel: t.detectionLevel ?? '',
  };
}

const encryption = (protocol: string | null, cipher: string | null): string => [protocol ?? '', cipher ?? ''].join(' ').trim();

const component = (c: ContentComponent) => ({ mimeType: c.mimeType, type: c.type, name: c.name, extension: c.extension, size: c.size });

function attachmentsOf(trace: MessageTrace) {
  return trace.content.components
    .filter((c) => c.type === COMPONENT_TYPE.attachment || c.type === COMPONENT_TYPE.inline)
    .map((c) => ({ component: c.index, filename: c.name, extension: c.extension, mimeType: c.mimeType, size: c.size }));
}

function messageInfo(trace: MessageTrace, transmissionInfo: string) {
  return {
    attachments: attachmentsOf(trace),
    cc: trace.content.cc.map((a) => a.address),
    htmlBody: trace.content.htmlBody,
    transmissionInfo,
    fromHeader: trace.fromHeader,
    subject: trace.subject,
    textBody: trace.content.textBody,
    to: trace.content.to.map((a) => a.address),
    processed: date(trace.receivedAt),
    fromEnvelope: trace.envelopeFrom,
    sent: date(trace.content.sentAt),
  };
}

function receiptTransmission(trace: MessageTrace): string {
  const c = trace.connection;
  if (!c) return `Submitted through the ${trace.source} API${trace.principal ? ` by ${trace.principal}` : ''}`;
  const tls = encryption(c.tlsProtocol, c.tlsCipher);
  return `Received from ${c.remoteHost ?? c.helo} [${c.remoteIp}] over SMTP${tls ? ` with ${tls}` : ''}`;
}

function deliveryTransmission(a: AttemptView | null): string {
  if (!a) return '';
  const peer = a.remoteHost || a.remoteIp ? ` ${a.remoteHost}${a.remoteIp ? ` [${a.remoteIp}]` : ''}` : '';
  return `${a.transport}${peer}: ${[a.code ?? '', a.reply].join(' ').trim()}`;
}

/** Whether the gateway took the message in (queued or held any recipient) or refused it at the door. */
function receiptEvent(trace: MessageTrace): string {
  const accepted = trace.events.some((e) => e.kind === EVENT_KIND.queued || e.kind === EVENT_KIND.held);
  return accepted ? 'accepted' : 'rejected';
}

function policyInfo(r: RecipientTrace) {
  if (!r.hold) return [];
  // reasonId MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY → "Spam Signature".
  const type = r.hold.reasonId
    .replace(/^MESSAGE_HOLD_APPLIED_|_POLICY$/g, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`);
  return [{ policyName: r.hold.policyInfo, policyType: type, inherited: false }];
}

/** An unscanned message still answers every key of the Get Message Info page's spamInfo (docs/vendor-apis.md#message-tracking). */
function spamInfo(trace: MessageTrace): SpamInfo {
  const reason = trace.connection ? 'authenticated submission over SMTP' : `submitted through the ${trace.source} API`;
  return trace.spamInfo ?? notScannedSpamInfo(trace.detectionLevel, reason);
}

/** A get-message-info `data` entry (the Get Message Info page (docs/vendor-apis.md#message-tracking)). */
export function renderMessageInfo(trace: MessageTrace, context: { processingServer: string; now: number }): Record<string, unknown> {
  const { processingServer, now } = context;
  const expiresIn = daysUntil(trace.retention.purgeAt, now);
  const components = trace.content.components.map(component);
  const c = trace.connection;
  const r = trace.retention;
  return {
    status: trace.status,
    retentionInfo: {
      currentPurgeDate: date(r.purgeAt),
      originalPurgeDate: date(r.originalPurgeAt),
      retentionAdjustmentDays: r.adjustmentDays,
      fbrExpireCheck: [],
      fbrStamps: [],
      audits: r.audits.map((a) => ({ date: date(a.at), type: a.type, user: a.by, info: a.info })),
      litigationHoldInfo: r.holds.map((h) => ({
        id: h.id,
        description: h.description,
        expiry: date(h.expiresAt),
        createdBy: h.createdBy,
        created: date(h.createdAt),
      })),
      smartTags: [],
      purgeBasedOn: r.basedOn,
    },
    recipientInfo: {
      messageInfo: messageInfo(trace, receiptTransmission(trace)),
      recipientMetaInfo: {
        remoteServerGreeting: c?.helo ?? '',
        encryptionInfo: c ? encryption(c.tlsProtocol, c.tlsCipher) : '',
        receiptAcknowledgement: c ? `250 ${queuedReplyText(trace.id)}` : '',
        receiptEvent: receiptEvent(trace),
        transmissionEnd: date(c?.transmissionEnd ?? trace.receivedAt),
        spamEvent: trace.spamInfo?.spamProcessingDetail.verdict.decision ?? '',
        messageExpiresIn: expiresIn,
        processingServer,
        binaryEmailSize: trace.size,
        // An API submission's peer is the HTTP client and its size the request's (meta.client).
        transmissionSize: c?.transmissionSize ?? trace.client?.requestSize ?? 0,
        remoteHost: c?.remoteHost ?? trace.client?.host ?? '',
        transmissionStart: date(c?.transmissionStart ?? trace.receivedAt),
        remoteIp: c?.remoteIp ?? trace.client?.ip ?? '',
        components,
      },
    },
    deliveredMessage: Object.fromEntries(
      trace.recipients.map((rcpt) => {
        const a = rcpt.lastAttempt;
        return [
          rcpt.address,
          {
            messageInfo: { ...messageInfo(trace, deliveryTransmission(a)), route: trace.route },
            policyInfo: policyInfo(rcpt),
            deliveryMetaInfo: {
              remoteServerGreeting: a?.greeting ?? '',
              encryptionInfo: a ? encryption(a.tlsProtocol, a.tlsCipher) : '',
              receiptAcknowledgement: a ? [a.code ?? '', a.reply].join(' ').trim() : '',
              emailAddress: rcpt.address,
              messageExpiresIn: expiresIn,
              processingServer,
              transmissionSize: a?.bytes ?? 0,
              remoteHost: a?.remoteHost ?? '',
              transmissionStart: date(a?.startedAt),
              remoteIp: a?.remoteIp ?? '',
              components,
              transmissionEnd: date(a?.endedAt),
              deliveryEvent: rcpt.lastEvent?.kind ?? rcpt.status,
            },
          },
        ];
      }),
    ),
    spamInfo: spamInfo(trace),
    id: trace.id,
  };
}
