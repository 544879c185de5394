/**
 * Reading messages: `GET /messages`, `GET /mailFolders/{sentitems|inbox|drafts}/messages` with
 * `$top`, `$skip`, `$select` and `@odata.nextLink`; `GET /messages/{id}` and `/messages/{id}/$value`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { mailboxOf, mailboxRoute, param, query, type GraphContext } from '../context.js';
import type { GraphCollection } from '../schemas.js';
import { messageResponse } from '../message-resource.js';
import { expandsMentions, mentionFilter } from '../mentions.js';
import type { Mailbox } from '../translate.js';
import { draftView, entryView, GRAPH_FOLDERS } from '../views.js';

/** Graph's default page size for messages, and its maximum. */
const DEFAULT_TOP = 10;
const MAX_TOP = 1000;

function count(request: FastifyRequest, name: string, fallback: number, max: number): number {
  const raw = query(request, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new MailgateError('invalid_value', `${name} must be a whole number up to ${max}`, 'url');
  return Number(raw);
}

/** Whether `$select` leaves the body out, so the MIME need not be read. */
function wantsBody(select: string | undefined): boolean {
  return !select || select.split(',').some((s) => ['body', 'uniquebody'].includes(s.trim().toLowerCase()));
}

export function messageRoutes(app: FastifyInstance, { gateway }: GraphContext): void {
  const { drafts, mailboxes } = gateway;

  async function list(request: FastifyRequest, mailbox: Mailbox, folder: string | undefined): Promise<GraphCollection<unknown>> {
    const top = count(request, '$top', DEFAULT_TOP, MAX_TOP);
    const skip = count(request, '$skip', 0, Number.MAX_SAFE_INTEGER);
    const select = query(request, '$select');
    const ownerMentioned = mentionFilter(request);
    expandsMentions(request);
    const page = await mailboxes.page(mailbox.user.id, folder, { offset: skip, limit: top, ...(ownerMentioned === undefined ? {} : { ownerMentioned }) });
    const value = [];
    for (const entry of page.entries) value.push(messageResponse(request, await entryView(mailboxes, entry, wantsBody(select))));
    const base = `${request.protocol}://${request.host}`;
    const collection: GraphCollection<unknown> = { '@odata.context': `${base}${app.prefix}/$metadata#Collection(microsoft.graph.message)`, value };
    if (skip + page.entries.length < page.total) {
      const next = new URL(request.url, base);
      next.searchParams.set('$top', String(top));
      next.searchParams.set('$skip', String(skip + top));
      collection['@odata.nextLink'] = next.toString();
    }
    return collection;
  }

  const read = { config: { graphPermission: 'Mail.Read' as const } };
  mailboxRoute(app, 'get', '/messages', read, async (request) => list(request, mailboxOf(request), undefined));
  mailboxRoute(app, 'get', '/mailFolders/:folderId/messages', read, async (request) => {
    const name = param(request, 'folderId').toLowerCase();
    const folder = GRAPH_FOLDERS[name];
    if (!folder) throw new MailgateError('not_found', 'The specified folder could not be found in the store.');
    return list(request, mailboxOf(request), folder);
  });

  mailboxRoute(app, 'get', '/messages/:id', read, async (request) => {
    const mailbox = mailboxOf(request);
    const id = param(request, 'id');
    const select = query(request, '$select');
    // A v1.0 `$expand=mentions` is refused before anything is read.
    expandsMentions(request);
    const draft = await drafts.find(mailbox.user.id, id);
    if (draft) return messageResponse(request, await draftView(drafts, draft, await drafts.attachments(id), mailbox));
    const entry = await mailboxes.entry(mailbox.user.id, id);
    if (!entry) throw new MailgateError('not_found', 'The specified object was not found in the store.');
    return messageResponse(request, await entryView(mailboxes, entry, wantsBody(select)));
  });

  mailboxRoute(app, 'get', '/messages/:id/$value', read, async (request, reply) => {
    const mailbox = mailboxOf(request);
    const id = param(request, 'id');
    const entry = await mailboxes.entry(mailbox.user.id, id);
    const draft = entry ? undefined : await drafts.find(mailbox.user.id, id);
    if (entry) return reply.type('text/plain').send(await mailboxes.content(entry));
    if (draft?.mimeBlobKey) return reply.type('text/plain').send(await drafts.mime({ ...draft, mimeBlobKey: draft.mimeBlobKey }));
    throw new MailgateError('not_found', draft ? 'The MIME of a draft exists once it is sent.' : 'The specified object was not found in the store.');
  });
}
