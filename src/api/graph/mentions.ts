/**
 * Graph @-mentions, a `/beta` feature (docs/vendor-apis.md "Graph mentions"): `mentions` on a new
 * message or draft, `mentionsPreview { isMentioned }` on every message, `$expand=mentions` to read
 * them and `$filter=mentionsPreview/isMentioned eq true|false` on listings. v1.0's message type has
 * neither property, so there the same requests are refused as Graph refuses unknown properties.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import { isObject, objectAt, optionalString, arrayAt, type JsonObject } from '../../core/json-fields.js';
import type { Mention } from '../../core/mentions.js';
import type { MailAddress } from '../../core/message.js';
import { assertHeaderText } from '../../core/validate.js';
import { query } from './context.js';
import { recipientAt } from './email-address.js';
import type { MessageView } from './message-resource.js';

/** A mention as a client writes it: `mentioned` is required, the rest is optional. */
export interface MentionRequest {
  mentioned: MailAddress;
  createdDateTime?: string;
  mentionText?: string;
  clientReference?: string;
  deepLink?: string;
  application?: string;
}

const OPTIONAL_TEXTS = ['mentionText', 'clientReference', 'deepLink', 'application'] as const;

/** Whether a request is served by the `/beta` mount of the Graph plugin (the prefix is the version). */
export function isBeta(request: FastifyRequest): boolean {
  return request.url.startsWith('/beta/');
}

/** The `mentions` of a message body; on v1.0 the property does not exist and is refused. */
export function mentionsOf(message: JsonObject, beta: boolean): MentionRequest[] {
  if (message.mentions === undefined || message.mentions === null) return [];
  if (!beta) {
    throw new MailgateError('malformed_request', "The property 'mentions' does not exist on type 'microsoft.graph.message'.", 'mentions');
  }
  return arrayAt(message, 'mentions', 'mentions').map((m, i) => {
    const field = `mentions[${i}]`;
    if (!isObject(m)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
    const mentioned = objectAt(m, 'mentioned', `${field}.mentioned`);
    // Graph's sendMail page (docs/vendor-apis.md#sendmail-and-drafts): "For each mention in the mentions property, you must specify the mentioned property."
    if (!mentioned) throw new MailgateError('field_required', `${field}.mentioned is required`, `${field}.mentioned`);
    const out: MentionRequest = { mentioned: recipientAt({ emailAddress: mentioned }, `${field}.mentioned`) };
    const created = optionalString(m, 'createdDateTime', `${field}.createdDateTime`);
    if (created !== undefined) {
      if (Number.isNaN(Date.parse(created))) throw new MailgateError('invalid_value', `${field}.createdDateTime must be a date and time`, `${field}.createdDateTime`);
      out.createdDateTime = new Date(created).toISOString();
    }
    for (const key of OPTIONAL_TEXTS) {
      const value = optionalString(m, key, `${field}.${key}`);
      if (value !== undefined) out[key] = assertHeaderText(value, `${field}.${key}`);
    }
    return out;
  });
}

/** A stable UUID-shaped id, so a draft's mentions keep their ids from read to read and into Sent Items. */
function derivedId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The mentions as accepted: made by the sending mailbox (`createdBy` is never the client's to
 * choose), created when the client says or now, ids fresh, or derived from `draftId` for a draft.
 */
export function mentionRecords(requests: readonly MentionRequest[], by: MailAddress, at: number, draftId?: string): Mention[] {
  const server = new Date(at).toISOString();
  return requests.map((r, i) => ({
    id: draftId === undefined ? randomUUID() : derivedId(`${draftId}:${i}:${r.mentioned.address.toLowerCase()}`),
    mentioned: r.mentioned,
    createdBy: by,
    createdDateTime: r.createdDateTime ?? server,
    serverCreatedDateTime: server,
    mentionText: r.mentionText ?? null,
    clientReference: r.clientReference ?? null,
    deepLink: r.deepLink ?? null,
    application: r.application ?? null,
  }));
}

const emailAddress = (a: MailAddress) => ({ name: a.name ?? a.address, address: a.address });

/** `microsoft.graph.mention` on the wire. */
export function mentionResource(m: Mention): Record<string, unknown> {
  return { ...m, mentioned: emailAddress(m.mentioned), createdBy: emailAddress(m.createdBy) };
}

/** `mentionsPreview`: null for a message without mentions, as Graph answers. */
export function mentionsPreviewOf(view: MessageView): { isMentioned: boolean } | null {
  return view.mentions.length ? { isMentioned: view.ownerMentioned } : null;
}

/** `$expand=mentions` (other expansions are not served and left alone); refused on v1.0. */
export function expandsMentions(request: FastifyRequest): boolean {
  const expand = query(request, '$expand');
  if (!expand) return false;
  const wanted = expand.split(',').some((e) => /^mentions(\(.*\))?$/i.test(e.trim()));
  if (wanted && !isBeta(request)) {
    throw new MailgateError('invalid_value', "Parsing OData Select and Expand failed: Could not find a property named 'mentions' on type 'microsoft.graph.message'.", 'url');
  }
  return wanted;
}

const MENTION_FILTER = /^\s*mentionsPreview\/isMentioned\s+eq\s+(true|false)\s*$/i;

/** `$filter=mentionsPreview/isMentioned eq true|false` as a store filter; other filters are not evaluated (docs). */
export function mentionFilter(request: FastifyRequest): boolean | undefined {
  const filter = query(request, '$filter');
  if (!filter || !/mentionsPreview/i.test(filter)) return undefined;
  if (!isBeta(request)) {
    throw new MailgateError('invalid_value', "Could not find a property named 'mentionsPreview' on type 'microsoft.graph.message'.", 'url');
  }
  const match = MENTION_FILTER.exec(filter);
  if (!match) throw new MailgateError('invalid_value', 'Only mentionsPreview/isMentioned eq true or eq false can be filtered on.', 'url');
  return (match[1] as string).toLowerCase() === 'true';
}
