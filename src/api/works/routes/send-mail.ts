/** `POST /users/{userId}/mail` (the LINE WORKS Send mail page (docs/vendor-apis.md#sending)): one or several messages through ingest(); 202, empty body. */
import type { FastifyInstance } from 'fastify';
import { hasPermission, PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { parseJsonObject } from '../../../core/json-fields.js';
import { summaryOfCompose } from '../../../mime/mailbox-summary.js';
import { MAILBOX_FOLDER } from '../../../core/storage/mailbox-store.js';
import { afterAcceptance } from '../../after-acceptance.js';
import { fromClient } from '../../client-facts.js';
import { worksUserOf, type WorksContext } from '../context.js';
import { worksIdempotent } from '../idempotent.js';
import { sendRequestOf, worksMessages, worksSubmission } from '../translate.js';

export function sendMailRoute(app: FastifyInstance, { gateway }: WorksContext): void {
  const { mailboxes, config } = gateway;
  const options = { config: { worksScope: 'mail' as const, worksOperation: 'sendMail' }, ...worksIdempotent(gateway) };
  app.post('/users/:userId/mail', options, async (request, reply) => {
    const user = worksUserOf(request);
    // The token cannot outlast the user's own right to send, which an administrator may revoke.
    if (!hasPermission(user.roles, PERMISSION.send)) throw new MailgateError('forbidden', 'This member may not send mail');
    const send = sendRequestOf(parseJsonObject(request.body), { attachmentMaxBytes: config.worksAttachmentMaxBytes });
    const attachCount = send.attachments.filter((a) => !a.inline).length;
    for (const mail of worksMessages(send, user)) {
      const submission = worksSubmission(mail, user, send);
      const accepted = await gateway.ingest(fromClient(submission, request));
      const summary = summaryOfCompose(mail, accepted, { securityLevel: send.securityLevel, attachCount });
      const sent = send.isSaveSentMail
        ? await afterAcceptance(request.log, 'sent copy', accepted.id, () => mailboxes.fileSentCopy(user.id, accepted, summary))
        : undefined;
      // The Tracking copy is how the sender reads delivery back (views.ts adds each recipient's state).
      if (send.isSaveTracking) {
        await afterAcceptance(request.log, 'tracking copy', accepted.id, () =>
          mailboxes.fileSentCopy(user.id, accepted, summary, { folder: MAILBOX_FOLDER.tracking, ...(sent ? { blobKey: sent.blobKey } : {}) }),
        );
      }
    }
    return reply.code(202).send();
  });
}
