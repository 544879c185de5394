/** The `microsoft.graph.message` resource and OData `$select`, built from a MessageView of any stored row. */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { isObject } from '../../core/json-fields.js';
import type { Mention } from '../../core/mentions.js';
import type { HeaderField } from '../../core/message.js';
import type { MailboxAddress } from '../../core/storage/mailbox-store.js';
import { query } from './context.js';
import { expandsMentions, isBeta, mentionResource, mentionsPreviewOf } from './mentions.js';
import { graphDate, type GraphMessage, type GraphRecipient } from './schemas.js';
import type { Importance } from './translate.js';

/** Graph's opaque conversationId, stable for a Message-ID. */
export function conversationIdOf(internetMessageId: string): string {
  return createHash('sha256').update(internetMessageId).digest('base64url').slice(0, 32);
}

const recipient = (a: MailboxAddress): GraphRecipient => ({ emailAddress: { name: a.name ?? a.address, address: a.address } });

/** What a message resource is built from, whichever table it lives in. */
export interface MessageView {
  id: string;
  createdAt: number;
  modifiedAt: number;
  sentAt: number | null;
  folder: string;
  isDraft: boolean;
  isRead: boolean;
  subject: string;
  body: { html: boolean; content: string };
  preview: string;
  hasAttachments: boolean;
  internetMessageId: string;
  from: MailboxAddress | undefined;
  sender: MailboxAddress | undefined;
  to: MailboxAddress[];
  cc: MailboxAddress[];
  bcc: MailboxAddress[];
  replyTo: MailboxAddress[];
  properties: Record<string, unknown>;
  /** The sender's @-mentions (beta only shows them) and whether the mailbox's owner is one of them. */
  mentions: Mention[];
  ownerMentioned: boolean;
}

/** A `microsoft.graph.message` resource. */
export function messageResource(view: MessageView): GraphMessage {
  const p = view.properties;
  const changeKey = createHash('sha256').update(`${view.id}:${view.modifiedAt}`).digest('base64url').slice(0, 24);
  const message: GraphMessage = {
    '@odata.etag': `W/"${changeKey}"`,
    id: view.id,
    createdDateTime: graphDate(view.createdAt),
    lastModifiedDateTime: graphDate(view.modifiedAt),
    changeKey,
    categories: Array.isArray(p.categories) ? (p.categories as string[]) : [],
    receivedDateTime: graphDate(view.createdAt),
    sentDateTime: view.sentAt === null ? null : graphDate(view.sentAt),
    hasAttachments: view.hasAttachments,
    internetMessageId: view.internetMessageId,
    subject: view.subject,
    bodyPreview: view.preview,
    importance: (p.importance as Importance | undefined) ?? 'normal',
    parentFolderId: view.folder,
    conversationId: conversationIdOf(view.internetMessageId),
    isDeliveryReceiptRequested: p.isDeliveryReceiptRequested === true,
    isReadReceiptRequested: p.isReadReceiptRequested === true,
    isRead: view.isRead,
    isDraft: view.isDraft,
    body: { contentType: view.body.html ? 'html' : 'text', content: view.body.content },
    sender: view.sender || view.from ? recipient((view.sender ?? view.from) as MailboxAddress) : null,
    from: view.from ? recipient(view.from) : null,
    toRecipients: view.to.map(recipient),
    ccRecipients: view.cc.map(recipient),
    bccRecipients: view.bcc.map(recipient),
    replyTo: view.replyTo.map(recipient),
    flag: isObject(p.flag) ? p.flag : { flagStatus: 'notFlagged' },
  };
  if (Array.isArray(p.internetMessageHeaders)) message.internetMessageHeaders = p.internetMessageHeaders as HeaderField[];
  return message;
}

/** OData `$select`: the chosen properties plus `id` and the etag, which Graph always returns. */
export function selectProperties(message: GraphMessage | Record<string, unknown>, select: string | undefined): Record<string, unknown> {
  if (!select) return { ...message };
  const wanted = new Set(select.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
  const out: Record<string, unknown> = { '@odata.etag': message['@odata.etag'], id: message.id };
  for (const [key, value] of Object.entries(message)) if (wanted.has(key.toLowerCase())) out[key] = value;
  return out;
}

/**
 * The message as the request's version shows it: `/beta` adds `mentionsPreview`, and `mentions`
 * when `$expand=mentions` asks (kept whatever `$select` chose, as an expansion is); then `$select`.
 */
export function messageResponse(request: FastifyRequest, view: MessageView): Record<string, unknown> {
  const resource: Record<string, unknown> = { ...messageResource(view) };
  const expand = expandsMentions(request);
  if (!isBeta(request)) return selectProperties(resource, query(request, '$select'));
  resource.mentionsPreview = mentionsPreviewOf(view);
  const selected = selectProperties(resource, query(request, '$select'));
  if (expand) selected.mentions = view.mentions.map(mentionResource);
  return selected;
}
