/** `POST /api/email/send-email` (the Send Email page (docs/vendor-apis.md#send-email-and-file-upload)): each data item is one message. */
import type { FastifyInstance } from 'fastify';
import { afterAcceptance } from '../../after-acceptance.js';
import { fromClient } from '../../client-facts.js';
import { callerOf, eachItem, requestOf, type MimecastContext } from '../context.js';
import { idempotentRoute } from '../idempotent.js';
import { sendEmailSubmission, vendorError } from '../translate.js';

/** the Send Email page (docs/vendor-apis.md#send-email-and-file-upload): "5MB is the maximum content length allowed by the API function". */
const SEND_EMAIL_LIMIT = 5 * 1024 * 1024;

export function sendEmailRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  const { files } = gateway;
  app.post('/email/send-email', { bodyLimit: SEND_EMAIL_LIMIT, ...idempotentRoute(gateway, {}) }, async (request) => {
    const { user } = callerOf(request);
    const { data } = requestOf(request);
    // Several items are several independent calls: one failing item leaves the others sent.
    return eachItem(
      data,
      async (item) => {
        const use = files.use(user.id);
        const submission = await sendEmailSubmission(item, user, (id) => use.content(id));
        const accepted = await gateway.ingest(fromClient(submission, request));
        await afterAcceptance(request.log, 'mark uploads used', accepted.id, () => use.markUsed());
        return { messageId: accepted.internetMessageId, messageDateHeader: accepted.date };
      },
      vendorError,
    );
  });
}
