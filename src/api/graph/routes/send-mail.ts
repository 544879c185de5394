/** `POST /me/sendMail`, `POST /users/{id}/sendMail` (Graph's sendMail page (docs/vendor-apis.md#sendmail-and-drafts)): JSON, or base64 MIME as `text/plain`; 202. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mentionsAddress } from '../../../core/mentions.js';
import { summaryOfCompose, summaryOfRaw } from '../../../mime/mailbox-summary.js';
import { afterAcceptance } from '../../after-acceptance.js';
import { fromClient } from '../../client-facts.js';
import { graphIdempotent } from '../idempotent.js';
import { mailboxOf, mailboxRoute, type GraphContext } from '../context.js';
import { isBeta, mentionRecords } from '../mentions.js';
import {
  composeContent,
  composeSubmission,
  decodeMimeBody,
  graphProperties,
  jsonBody,
  messageFields,
  mimeSubmission,
  sendMailRequest,
} from '../translate.js';

/** Graph caps a request at 4 MB; base64 and JSON around a 3 MB attachment need a little more. */
export const GRAPH_BODY_LIMIT = 5 * 1024 * 1024;

/** Graph's sendMail page (docs/vendor-apis.md#sendmail-and-drafts): "Use application/json for a JSON object and text/plain for MIME content." */
export function isMimeRequest(request: FastifyRequest): boolean {
  return /^text\/plain\b/i.test(request.headers['content-type'] ?? '');
}

export function sendMailRoute(app: FastifyInstance, { gateway }: GraphContext): void {
  const { mailboxes } = gateway;
  mailboxRoute(app, 'post', '/sendMail', { bodyLimit: GRAPH_BODY_LIMIT, config: { graphPermission: 'Mail.Send' }, ...graphIdempotent(gateway) }, async (request, reply) => {
    const mailbox = mailboxOf(request);
    if (isMimeRequest(request)) {
      const raw = decodeMimeBody(request.body);
      const accepted = await gateway.ingest(fromClient(mimeSubmission(raw, mailbox), request));
      // Graph's sendMail page (docs/vendor-apis.md#sendmail-and-drafts): a MIME send is always saved in Sent Items (there are no parameters to say otherwise).
      await afterAcceptance(request.log, 'sent items copy', accepted.id, async () =>
        mailboxes.fileSentCopy(mailbox.user.id, accepted, await summaryOfRaw(raw)),
      );
      return reply.code(202).send();
    }
    const { message, saveToSentItems } = sendMailRequest(jsonBody(request.body));
    const fields = messageFields(message, { beta: isBeta(request) });
    const mail = composeContent(fields, mailbox);
    const mentions = mentionRecords(fields.mentions, mail.from, gateway.clock.now());
    const accepted = await gateway.ingest(fromClient(composeSubmission(mail, mailbox, undefined, mentions), request));
    if (saveToSentItems) {
      const summary = summaryOfCompose(mail, accepted, graphProperties(fields, mentions));
      const ownerMentioned = mentionsAddress(mentions, mailbox.user.email);
      await afterAcceptance(request.log, 'sent items copy', accepted.id, () =>
        mailboxes.fileSentCopy(mailbox.user.id, accepted, summary, { ownerMentioned }),
      );
    }
    return reply.code(202).send();
  });
}
