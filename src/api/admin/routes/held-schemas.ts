/** Request and response schemas of the console's held-queue routes (held.ts). */
import { REJECT_REASON_TYPES } from '../../../core/held-review.js';
import { bool, epochMs, int, list, nullable, num, obj, oneOf, params, responses, str, type RouteSchema } from '../schemas.js';

const tags = ['held'];

const hold = obj(
  {
    messageId: str(),
    status: str(),
    policyId: str(),
    policyInfo: str('the policy that held it'),
    reason: str(),
    reasonId: str(),
    reasonCode: str(),
    heldGroup: str(),
    hasAttachments: bool,
    toAddress: str('the first held recipient'),
    toName: str(),
    heldAt: epochMs(),
    expiresAt: epochMs(),
    mailFrom: str(),
    fromHeader: str(),
    subject: str(),
    size: int(),
    route: str(),
    receivedAt: epochMs(),
    spamScore: nullable(num()),
    preview: str('the start of the text body'),
  },
  ['messageId', 'status', 'policyInfo', 'reason', 'heldAt', 'mailFrom', 'subject', 'toAddress', 'spamScore', 'preview'],
);

const ids = { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 200 } };

/** Per id: `done`, or why nothing was done. */
const results = responses({ 200: obj({ results: list(obj({ id: str(), result: oneOf(['done', 'not_found', 'not_held']) })) }) });

export const heldSchemas: Record<'list' | 'release' | 'reject' | 'senderList' | 'log', RouteSchema> = {
  list: {
    summary: 'Held messages, newest first, with spam score and a preview',
    tags,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: oneOf(['held', 'released', 'rejected', 'expired']),
        search: { type: 'string', maxLength: 500 },
        offset: { type: 'integer', minimum: 0 },
        limit: { type: 'integer', minimum: 1, maximum: 100 },
      },
    },
    response: responses({ 200: obj({ total: int(), holds: list(hold) }) }),
  },
  release: { summary: 'Release held messages', tags, body: { ...obj({ ids }), additionalProperties: false }, response: results },
  reject: {
    summary: 'Reject held messages, optionally with a notice to the sender',
    tags,
    body: {
      ...obj({ ids, reasonType: oneOf(REJECT_REASON_TYPES), message: { type: 'string', maxLength: 1000, pattern: '^[^\\r\\n]*$' }, notify: bool }, ['ids']),
      additionalProperties: false,
    },
    response: results,
  },
  senderList: {
    summary: "Add a held message's envelope sender to the permitted or blocked senders",
    tags,
    params: params('id'),
    body: { ...obj({ list: oneOf(['permitted', 'blocked']) }), additionalProperties: false },
    response: responses({ 201: obj({ id: str(), list: str(), pattern: str() }) }),
  },
  log: {
    summary: 'Releases, rejections and expiries with who and when, newest first',
    tags,
    querystring: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: 24 * 90, default: 24 * 7 } } },
    response: responses({ 200: obj({ entries: list(obj({ at: epochMs(), operator: str(), action: str(), messageId: str(), subject: str(), mailFrom: str() })) }) }),
  },
};
