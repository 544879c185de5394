/** JSON schemas of the admin held-queue routes (routes/held.ts). */
import { REJECT_REASON_TYPES } from '../../../core/held-review.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;

export const heldListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['held', 'released', 'rejected', 'expired'] },
    search: { type: 'string', maxLength: 500 },
    offset: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

const holdItem = {
  type: 'object',
  required: ['messageId', 'status', 'policyInfo', 'reason', 'heldAt', 'mailFrom', 'subject', 'toAddress', 'spamScore', 'preview'],
  properties: {
    messageId: str,
    status: str,
    policyId: str,
    policyInfo: str,
    reason: str,
    reasonId: str,
    reasonCode: str,
    heldGroup: str,
    hasAttachments: { type: 'boolean' },
    toAddress: str,
    toName: str,
    heldAt: int,
    expiresAt: int,
    mailFrom: str,
    fromHeader: str,
    subject: str,
    size: int,
    route: str,
    receivedAt: int,
    spamScore: { type: ['number', 'null'] },
    preview: str,
  },
} as const;

export const heldListSchema = {
  type: 'object',
  required: ['total', 'holds'],
  properties: { total: int, holds: { type: 'array', items: holdItem } },
} as const;

const ids = { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;

export const idsBody = { type: 'object', required: ['ids'], additionalProperties: false, properties: { ids } } as const;

export const rejectBody = {
  type: 'object',
  required: ['ids'],
  additionalProperties: false,
  properties: {
    ids,
    reasonType: { type: 'string', enum: [...REJECT_REASON_TYPES] },
    message: { type: 'string', maxLength: 1000, pattern: '^[^\\r\\n]*$' },
    notify: { type: 'boolean' },
  },
} as const;

export const senderListBody = {
  type: 'object',
  required: ['list'],
  additionalProperties: false,
  properties: { list: { type: 'string', enum: ['permitted', 'blocked'] } },
} as const;

/** Per id: `done`, or why nothing was done (`not_found`, `not_held`). */
export const resultsSchema = {
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: { type: 'object', required: ['id', 'result'], properties: { id: str, result: { type: 'string', enum: ['done', 'not_found', 'not_held'] } } },
    },
  },
} as const;

export const heldLogSchema = {
  type: 'object',
  required: ['entries'],
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'operator', 'action', 'messageId', 'subject', 'mailFrom'],
        properties: { at: int, operator: str, action: str, messageId: str, subject: str, mailFrom: str },
      },
    },
  },
} as const;
