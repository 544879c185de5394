/** JSON schemas of the admin queue-control routes (validation, serialisation and the OpenAPI document). */
import { QUEUE_STATES } from '../../../core/storage/queue-store.js';
import { MAX_QUEUE_PAGE } from '../../../services/queue-control.js';
import { errorBody } from '../schemas.js';

const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

const entry = {
  type: 'object',
  required: ['messageId', 'recipientId', 'recipient', 'domain', 'sender', 'subject', 'transport', 'state', 'attempts', 'nextAttemptAt', 'lastCode', 'lastReply', 'receivedAt', 'expiresAt'],
  properties: {
    messageId: { type: 'string' },
    recipientId: { type: 'string' },
    recipient: { type: 'string' },
    domain: { type: 'string' },
    sender: { type: 'string', description: 'The envelope sender ("" for notices).' },
    subject: { type: 'string' },
    transport: { type: 'string' },
    state: { type: 'string', enum: [...QUEUE_STATES] },
    attempts: { type: 'integer' },
    nextAttemptAt: dateTime,
    lastCode: nullableInteger,
    lastReply: nullableString,
    receivedAt: dateTime,
    expiresAt: dateTime,
  },
} as const;

const messageIdParams = {
  type: 'object',
  required: ['messageId'],
  properties: { messageId: { type: 'string', minLength: 1, description: 'The gateway message id (tracking id).' } },
} as const;

const actionResult = {
  type: 'object',
  required: ['action', 'entries'],
  properties: {
    action: { type: 'string', enum: ['retry', 'bounce', 'delete', 'flush'] },
    entries: { type: 'array', items: entry, description: 'The recipients acted on (in-flight ones are left to their attempt).' },
  },
} as const;

const failures = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, '5xx': errorBody } as const;

export const listSchema = {
  summary: 'Deliveries waiting in the queue or being sent',
  tags: ['queue'],
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      state: { type: 'string', enum: [...QUEUE_STATES] },
      domain: { type: 'string', minLength: 1, description: 'Recipient domain.' },
      sender: { type: 'string', description: 'Envelope sender.' },
      olderThanSeconds: { type: 'integer', minimum: 0, description: 'Only mail received at least this long ago.' },
      offset: { type: 'integer', minimum: 0, default: 0 },
      limit: { type: 'integer', minimum: 1, maximum: MAX_QUEUE_PAGE, default: 100 },
    },
  },
  response: {
    200: { type: 'object', required: ['total', 'entries'], properties: { total: { type: 'integer' }, entries: { type: 'array', items: entry } } },
    ...failures,
  },
} as const;

export const showSchema = {
  summary: 'One message with every recipient and its events',
  tags: ['queue'],
  params: messageIdParams,
  response: {
    200: {
      type: 'object',
      required: ['messageId', 'internetMessageId', 'sender', 'subject', 'size', 'status', 'receivedAt', 'expiresAt', 'recipients', 'events'],
      properties: {
        messageId: { type: 'string' },
        internetMessageId: { type: 'string' },
        sender: { type: 'string' },
        subject: { type: 'string' },
        size: { type: 'integer' },
        status: { type: 'string' },
        receivedAt: dateTime,
        expiresAt: dateTime,
        recipients: {
          type: 'array',
          items: {
            type: 'object',
            required: ['recipientId', 'recipient', 'state', 'attempts', 'nextAttemptAt', 'lastCode', 'lastReply'],
            properties: {
              recipientId: { type: 'string' },
              recipient: { type: 'string' },
              state: { type: 'string' },
              attempts: { type: 'integer' },
              nextAttemptAt: dateTime,
              lastCode: nullableInteger,
              lastReply: nullableString,
            },
          },
        },
        events: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'at', 'recipientId', 'detail'],
            properties: { kind: { type: 'string' }, at: dateTime, recipientId: nullableString, detail: { type: 'object', additionalProperties: true } },
          },
        },
      },
    },
    ...failures,
  },
} as const;

export const messageActionSchema = (summary: string) =>
  ({ summary, tags: ['queue'], params: messageIdParams, response: { 200: actionResult, ...failures } }) as const;

export const flushSchema = {
  summary: 'Retry every waiting delivery to a domain now',
  tags: ['queue'],
  params: { type: 'object', required: ['domain'], properties: { domain: { type: 'string', minLength: 1 } } },
  response: { 200: actionResult, ...failures },
} as const;
