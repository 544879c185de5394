/**
 * `GET /users/{userId}/mail/mailfolders` and `GET …/mailfolders/{folderId}/children` (`count` 5–200,
 * default 30; `cursor`; `isUnread`): newest first, `responseMetaData.nextCursor` while more remain.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import type { MailboxCursor } from '../../../core/storage/mailbox-store.js';
import { param, query, worksUserOf, type WorksContext } from '../context.js';
import { folderById, folderViews, summaryView } from '../views.js';

const DEFAULT_COUNT = 30;
const MIN_COUNT = 5;
const MAX_COUNT = 200;

function countOf(request: FastifyRequest): number {
  const raw = query(request, 'count');
  if (raw === undefined || raw === '') return DEFAULT_COUNT;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < MIN_COUNT || n > MAX_COUNT) {
    throw new MailgateError('invalid_value', `count must be a whole number from ${MIN_COUNT} to ${MAX_COUNT}`, 'count');
  }
  return n;
}

function isUnreadOf(request: FastifyRequest): boolean {
  const raw = query(request, 'isUnread');
  if (raw === undefined || raw === '') return false;
  if (!/^(true|false)$/i.test(raw)) throw new MailgateError('invalid_value', 'isUnread must be true or false', 'isUnread');
  return raw.toLowerCase() === 'true';
}

/** Cursors are opaque to clients: the last listed entry's sort key. */
function encodeCursor(cursor: MailboxCursor): string {
  return Buffer.from(JSON.stringify([cursor.receivedAt, cursor.id]), 'utf8').toString('base64url');
}

function decodeCursor(raw: string | undefined): MailboxCursor | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const [receivedAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (typeof receivedAt === 'number' && typeof id === 'string') return { receivedAt, id };
  } catch {
    // Falls through to the error below.
  }
  throw new MailgateError('invalid_value', 'cursor is not one this API returned', 'cursor');
}

export function mailFolderRoutes(app: FastifyInstance, { gateway }: WorksContext): void {
  const { mailboxes } = gateway;

  app.get('/users/:userId/mail/mailfolders', { config: { worksScope: 'mail.read', worksOperation: 'listMailFolders' } }, async (request) => {
    return { mailFolders: folderViews(await mailboxes.folderCounts(worksUserOf(request).id)) };
  });

  const children = { config: { worksScope: 'mail.read' as const, worksOperation: 'listMailFolderChildren' } };
  app.get('/users/:userId/mail/mailfolders/:folderId/children', children, async (request) => {
    const user = worksUserOf(request);
    const raw = param(request, 'folderId');
    const folder = /^\d+$/.test(raw) ? folderById(Number(raw)) : undefined;
    if (!folder) throw new MailgateError('not_found', `No mail folder ${raw}`, 'folderId');
    const limit = countOf(request);
    const after = decodeCursor(query(request, 'cursor'));
    // One entry more than asked tells whether another page follows.
    const page = await mailboxes.numberedPage(user.id, folder.folder, { limit: limit + 1, unreadOnly: isUnreadOf(request), ...(after ? { after } : {}) });
    const shown = page.entries.slice(0, limit);
    const mails = [];
    for (const numbered of shown) mails.push(await summaryView(mailboxes, numbered));
    const last = shown.at(-1)?.entry;
    const nextCursor = last && page.entries.length > limit ? encodeCursor({ receivedAt: last.receivedAt, id: last.id }) : null;
    return {
      mails,
      unreadCount: page.unread,
      folderName: folder.folderName,
      listCount: mails.length,
      totalCount: page.total,
      responseMetaData: { nextCursor },
    };
  });
}
