/**
 * `GET /users/{userId}/mail/{mailId}` (the mail from its stored MIME, Tracking mails with each
 * recipient's delivery state), `PATCH` (`readStatus`, `markStatus`), `DELETE` (204).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { optionalBoolean, parseJsonObject } from '../../../core/json-fields.js';
import { MAILBOX_FOLDER, type NumberedMailboxEntry } from '../../../core/storage/mailbox-store.js';
import type { MailboxService } from '../../../services/mailboxes.js';
import { idParam, worksUserOf, type WorksContext } from '../context.js';
import type { WorksMail } from '../schemas.js';
import { attachmentViews, mailView, parseEntry } from '../views.js';

/** The caller's mail with this `mailId`; NOT_FOUND for anyone else's. */
export async function mailOf(mailboxes: Pick<MailboxService, 'numbered'>, request: FastifyRequest): Promise<NumberedMailboxEntry> {
  const mailId = idParam(request, 'mailId');
  const found = await mailboxes.numbered(worksUserOf(request).id, mailId);
  if (!found) throw new MailgateError('not_found', `No mail ${mailId}`, 'mailId');
  return found;
}

export function mailRoutes(app: FastifyInstance, { gateway }: WorksContext): void {
  const { mailboxes, tracking } = gateway;

  async function answer(numbered: NumberedMailboxEntry): Promise<{ mail: WorksMail; attachments: ReturnType<typeof attachmentViews> }> {
    const parsed = await parseEntry(mailboxes, numbered.entry);
    const mail = mailView(numbered, parsed);
    const { messageId, folder } = numbered.entry;
    if (folder === MAILBOX_FOLDER.tracking && messageId) {
      mail.tracking = (await tracking.recipients(messageId)).map((r) => ({
        email: r.address,
        status: r.status,
        reply: r.lastCode === null ? null : `${r.lastCode} ${r.lastReply ?? ''}`.trim(),
        updatedTime: new Date(r.updatedAt).toISOString(),
      }));
    }
    return { mail, attachments: attachmentViews(parsed) };
  }

  app.get('/users/:userId/mail/:mailId', { config: { worksScope: 'mail.read', worksOperation: 'getMail' } }, async (request) =>
    answer(await mailOf(mailboxes, request)),
  );

  app.patch('/users/:userId/mail/:mailId', { config: { worksScope: 'mail', worksOperation: 'updateMail' } }, async (request) => {
    const numbered = await mailOf(mailboxes, request);
    const body = parseJsonObject(request.body);
    const readStatus = optionalBoolean(body, 'readStatus', 'readStatus');
    const markStatus = optionalBoolean(body, 'markStatus', 'markStatus');
    if (readStatus === undefined && markStatus === undefined) {
      throw new MailgateError('field_required', 'readStatus or markStatus is required', 'readStatus');
    }
    const change = { ...(readStatus === undefined ? {} : { unread: !readStatus }), ...(markStatus === undefined ? {} : { marked: markStatus }) };
    if (!(await mailboxes.setState(numbered.entry.userId, numbered.entry.id, change))) {
      throw new MailgateError('not_found', `No mail ${numbered.mailId}`, 'mailId');
    }
    return answer({
      ...numbered,
      marked: change.marked ?? numbered.marked,
      entry: { ...numbered.entry, unread: change.unread ?? numbered.entry.unread },
    });
  });

  app.delete('/users/:userId/mail/:mailId', { config: { worksScope: 'mail', worksOperation: 'deleteMail' } }, async (request, reply) => {
    const numbered = await mailOf(mailboxes, request);
    await mailboxes.remove(numbered.entry.userId, numbered.entry.id);
    return reply.code(204).send();
  });
}
