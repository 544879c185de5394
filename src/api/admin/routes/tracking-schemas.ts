/** Request and response schemas of the admin tracking and retention routes (tracking.ts, retention.ts). */
import { bool, epochMs, int, list, nullable, num, obj, openObject, params, responses, str, type RouteSchema, type Schema } from '../schemas.js';

const address = obj({ address: str(), name: str() });
const component = obj({ index: int('position; the download route takes it'), mimeType: str(), type: str(), name: str(), extension: str(), size: int() });
const hold = obj({ policyId: str(), policyInfo: str(), reason: str(), reasonId: str(), reasonCode: str(), heldGroup: str() });
const attempt = obj({
  at: epochMs(),
  transport: str(),
  remoteHost: str(),
  remoteIp: str(),
  greeting: str(),
  tlsProtocol: str(),
  tlsCipher: str(),
  bytes: int(),
  startedAt: epochMs(),
  endedAt: epochMs(),
  code: nullable(int('SMTP reply code')),
  reply: str(),
  outcome: str(),
});

/** A litigation hold (retention.ts). */
export const litigationHold = obj({
  id: str(),
  messageId: nullable(str()),
  address: nullable(str('lower-case address')),
  description: str(),
  createdBy: str(),
  createdAt: epochMs(),
  expiresAt: nullable(epochMs()),
  releasedAt: nullable(epochMs()),
  releasedBy: nullable(str()),
});

const trackedMessage = obj({
  id: str(),
  internetMessageId: str(),
  status: str(),
  info: str(),
  envelopeFrom: str(),
  from: nullable(address),
  to: list(address),
  receivedAt: epochMs(),
  sentAt: nullable(epochMs()),
  subject: str(),
  senderIp: nullable(str()),
  hasAttachments: bool,
  route: str(),
  source: str('the way in (dialect): mimecast, graph, works, smtp, system'),
  spamScore: nullable(num()),
  detectionLevel: nullable(str()),
});

const trace = obj({
  id: str(),
  internetMessageId: str(),
  status: str(),
  info: str(),
  source: str('the way in: mimecast, graph, works, smtp'),
  route: str(),
  receivedAt: epochMs(),
  envelopeFrom: str(),
  fromHeader: str(),
  subject: str(),
  size: int(),
  senderIp: nullable(str()),
  connection: nullable(openObject('the SMTP connection the message arrived on (client IP, HELO, TLS, authentication results)')),
  principal: nullable(str()),
  client: nullable(openObject('the HTTP client of an API submission')),
  content: obj({
    sentAt: nullable(epochMs()),
    from: nullable(address),
    to: list(address),
    cc: list(address),
    subject: str(),
    components: list(component),
    available: bool,
    textBody: str(),
    htmlBody: str(),
  }),
  recipients: list(
    obj({
      id: str(),
      address: str(),
      kind: str(),
      status: str(),
      attempts: int(),
      lastAttempt: nullable(attempt),
      lastEvent: nullable(obj({ kind: str(), at: epochMs() })),
      hold: nullable(hold),
    }),
  ),
  spamInfo: nullable(openObject('spam scan facts (score, detection level, rules, authentication results)')),
  detectionLevel: str(),
  retention: obj({
    purgeAt: nullable(epochMs()),
    originalPurgeAt: nullable(epochMs()),
    adjustmentDays: num(),
    purgedAt: nullable(epochMs()),
    basedOn: str(),
    holds: list(litigationHold),
    audits: list(obj({ at: epochMs(), type: str(), by: str(), info: str() })),
  }),
  events: list(obj({ id: int(), messageId: str(), recipientId: nullable(str()), kind: str(), at: epochMs(), detail: openObject('event facts') })),
});

const tags = ['tracking'];

export const searchSchema: RouteSchema = {
  summary: 'Search tracked messages (ISO 8601 dates; the last 24 hours by default)',
  tags,
  body: {
    type: 'object',
    properties: {
      start: str('ISO 8601 date'),
      end: str('ISO 8601 date'),
      messageId: str(),
      from: str(),
      to: str(),
      subject: str(),
      senderIp: str(),
      route: { type: 'string', enum: ['inbound', 'outbound', 'internal'] },
      status: { type: 'string', enum: ['queued', 'held', 'delivered', 'partial', 'bounced', 'rejected'] },
      dialect: str('the way in: mimecast, graph, works, smtp, system'),
      order: { type: 'string', enum: ['desc', 'asc'], description: 'by time received; desc (newest first) by default' },
      pageSize: int(),
      pageToken: str(),
    },
  },
  response: responses({ 200: obj({ total: int(), items: list(trackedMessage), nextPageToken: str('absent on the last page') }, ['total', 'items']) }),
};

export const traceSchema: RouteSchema = {
  summary: 'The full tracking record of one message (the view is audited)',
  tags,
  params: params('id'),
  response: responses({ 200: trace }),
};

export const componentSchema: RouteSchema = {
  summary: 'One MIME component of a message, as bytes',
  tags,
  params: params('id', 'index'),
  response: responses({ 200: { type: 'string', format: 'binary', description: 'the component bytes, with its own content type' } }),
};

export const rawSchema: RouteSchema = {
  summary: 'The raw message as stored (its source), as text/plain',
  tags,
  params: params('id'),
  response: responses({ 200: { type: 'string', description: 'the message source' } }),
};

const holdBody: Schema = {
  type: 'object',
  properties: { messageId: str(), address: str(), description: str(), expiresAt: str('ISO 8601 date') },
  required: ['description'],
};

export const retentionSchemas: Record<'list' | 'place' | 'release' | 'purge', RouteSchema> = {
  list: {
    summary: 'Litigation holds (active ones unless all=true)',
    tags: ['retention'],
    querystring: { type: 'object', properties: { all: { type: 'string', enum: ['true', 'false'] } } },
    response: responses({ 200: obj({ holds: list(litigationHold) }) }),
  },
  place: { summary: 'Place a litigation hold on a message or an address', tags: ['retention'], body: holdBody, response: responses({ 201: litigationHold }) },
  release: { summary: 'Release a litigation hold', tags: ['retention'], params: params('id'), response: responses({ 204: null }) },
  purge: { summary: 'Run a retention purge pass now', tags: ['retention'], response: responses({ 200: obj({ purged: int('messages purged') }) }) },
};


