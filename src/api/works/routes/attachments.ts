/** `GET /users/{userId}/mail/{mailId}/attachments/{attachmentId}`: `{data (base64), filename}` from the stored MIME. */
import type { FastifyInstance } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { idParam, type WorksContext } from '../context.js';
import { parseEntry } from '../views.js';
import { mailOf } from './mail.js';

export function attachmentRoutes(app: FastifyInstance, { gateway }: WorksContext): void {
  const { mailboxes } = gateway;
  const options = { config: { worksScope: 'mail.read' as const, worksOperation: 'getMailAttachment' } };
  app.get('/users/:userId/mail/:mailId/attachments/:attachmentId', options, async (request) => {
    const numbered = await mailOf(mailboxes, request);
    const attachmentId = idParam(request, 'attachmentId');
    const parsed = await parseEntry(mailboxes, numbered.entry);
    // Ids are 1-based positions (views.ts attachmentViews).
    const part = parsed.attachments[attachmentId - 1];
    if (!part) throw new MailgateError('not_found', `Mail ${numbered.mailId} has no attachment ${attachmentId}`, 'attachmentId');
    return { data: part.content.toString('base64'), filename: part.filename ?? `attachment-${attachmentId}` };
  });
}
