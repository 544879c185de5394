/**
 * Drafts: `POST /messages` (JSON or MIME, 201 with the message), `PATCH /messages/{id}`,
 * `POST /messages/{id}/send` (202; the draft moves to Sent Items). Also `/mailFolders/drafts/messages`.
 */
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { mentionsAddress } from '../../../core/mentions.js';
import type { AttachmentInput } from '../../../core/message.js';
import { summaryOfCompose, summaryOfRaw } from '../../../mime/mailbox-summary.js';
import { readHeaderSummary } from '../../../mime/raw-message.js';
import type { DraftRecord } from '../../../core/storage/draft-store.js';
import type { DraftService } from '../../../services/drafts.js';
import { afterAcceptance } from '../../after-acceptance.js';
import { fromClient } from '../../client-facts.js';
import { graphIdempotent } from '../idempotent.js';
import { mailboxOf, mailboxRoute, param, type GraphContext } from '../context.js';
import {
  composeContent,
  composeSubmission,
  decodeMimeBody,
  graphProperties,
  jsonBody,
  messageFields,
  mimeSubmission,
} from '../translate.js';
import { messageResponse } from '../message-resource.js';
import { isBeta, mentionRecords, mentionsOf } from '../mentions.js';
import { draftView } from '../views.js';
import { GRAPH_BODY_LIMIT, isMimeRequest } from './send-mail.js';

/** The message is durable in the queue (and Sent Items); the draft and its bytes go, or stay with a logged error. */
async function removeSentDraft(request: FastifyRequest, drafts: DraftService, draftId: string, messageId: string): Promise<void> {
  await afterAcceptance(request.log, 'remove sent draft', messageId, () => drafts.remove(draftId));
}

/** Attachments of a new draft live in their own rows; the stored message keeps only the other properties. */
const withoutAttachments = (message: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(message).filter(([key]) => key !== 'attachments'));

export function draftRoutes(app: FastifyInstance, { gateway }: GraphContext): void {
  const { drafts, mailboxes, clock, config } = gateway;

  const create: RouteHandlerMethod = async (request, reply) => {
    const mailbox = mailboxOf(request);
    const folder = (request.params as { folderId?: string }).folderId;
    if (folder !== undefined && folder.toLowerCase() !== 'drafts') {
      throw new MailgateError('invalid_value', 'Messages can only be created in the drafts folder.', 'url');
    }
    const now = clock.now();
    const id = newId(now);
    const draft: DraftRecord = {
      id,
      userId: mailbox.user.id,
      message: {},
      mimeBlobKey: null,
      internetMessageId: `<${newId(now)}@${config.hostname}>`,
      createdAt: now,
      updatedAt: now,
    };
    let inline: AttachmentInput[] = [];
    let mime: Buffer | undefined;
    if (isMimeRequest(request)) {
      mime = decodeMimeBody(request.body);
      // The header block must parse now; the rest is the client's business until it is sent.
      readHeaderSummary(mime);
      draft.mimeBlobKey = `draft-${id}`;
    } else {
      const message = jsonBody(request.body);
      const fields = messageFields(message, { beta: isBeta(request) });
      // Graph refuses a foreign From only at send time; refusing it now saves the client a useless draft.
      if (fields.from) await gateway.checkSendAs(mailbox.principal, [{ address: fields.from.address, field: 'from.emailAddress.address' }]);
      draft.message = withoutAttachments(message);
      inline = fields.attachments;
    }
    const attachments = await drafts.create(draft, { ...(mime ? { mime } : {}), attachments: inline });
    return reply.code(201).send(messageResponse(request, await draftView(drafts, draft, attachments, mailbox)));
  };
  const createOptions = { bodyLimit: GRAPH_BODY_LIMIT, config: { graphPermission: 'Mail.ReadWrite' as const } };
  mailboxRoute(app, 'post', '/messages', createOptions, create);
  mailboxRoute(app, 'post', '/mailFolders/:folderId/messages', createOptions, create);

  mailboxRoute(app, 'patch', '/messages/:id', { bodyLimit: GRAPH_BODY_LIMIT, config: { graphPermission: 'Mail.ReadWrite' } }, async (request) => {
    const mailbox = mailboxOf(request);
    const draft = await drafts.require(mailbox.user.id, param(request, 'id'));
    if (draft.mimeBlobKey) throw new MailgateError('invalid_value', 'A draft created from MIME cannot be changed; create a new one.', 'url');
    const patch = jsonBody(request.body);
    if (patch.attachments !== undefined) {
      throw new MailgateError('invalid_value', 'Add attachments with POST .../messages/{id}/attachments', 'attachments');
    }
    // v1.0 may not write mentions; those a draft already has (written on /beta) stay.
    mentionsOf(patch, isBeta(request));
    const message = { ...draft.message, ...patch };
    const fields = messageFields(message, { beta: true });
    if (fields.from) await gateway.checkSendAs(mailbox.principal, [{ address: fields.from.address, field: 'from.emailAddress.address' }]);
    const updated = { ...draft, message, updatedAt: clock.now() };
    await drafts.update(draft.id, message, updated.updatedAt);
    return messageResponse(request, await draftView(drafts, updated, await drafts.attachments(draft.id), mailbox));
  });

  mailboxRoute(app, 'post', '/messages/:id/send', { config: { graphPermission: 'Mail.Send' }, ...graphIdempotent(gateway) }, async (request, reply) => {
    const mailbox = mailboxOf(request);
    const draft = await drafts.require(mailbox.user.id, param(request, 'id'));
    if (draft.mimeBlobKey) {
      const raw = await drafts.mime({ ...draft, mimeBlobKey: draft.mimeBlobKey });
      const accepted = await gateway.ingest(fromClient(mimeSubmission(raw, mailbox), request));
      await afterAcceptance(request.log, 'sent items copy', accepted.id, async () =>
        mailboxes.fileSentCopy(mailbox.user.id, accepted, await summaryOfRaw(raw)),
      );
      await removeSentDraft(request, drafts, draft.id, accepted.id);
    } else {
      const fields = messageFields(draft.message, { beta: true });
      const mail = composeContent(fields, mailbox, await drafts.attachmentInputs(draft.id));
      // The mentions keep the ids the draft showed, as the Message-ID does.
      const mentions = mentionRecords(fields.mentions, mail.from, draft.createdAt, draft.id);
      const accepted = await gateway.ingest(fromClient(composeSubmission(mail, mailbox, draft.internetMessageId, mentions), request));
      const summary = summaryOfCompose(mail, accepted, graphProperties(fields, mentions));
      const ownerMentioned = mentionsAddress(mentions, mailbox.user.email);
      await afterAcceptance(request.log, 'sent items copy', accepted.id, () =>
        mailboxes.fileSentCopy(mailbox.user.id, accepted, summary, { ownerMentioned }),
      );
      await removeSentDraft(request, drafts, draft.id, accepted.id);
    }
    return reply.code(202).send();
  });
}
