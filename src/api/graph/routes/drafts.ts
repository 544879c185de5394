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
import type { DraftAttachmentRecord, DraftRecord } from '../../../core/storage/draft-store.js';
import { assertRoomFor, uploadQuotaOf } from '../../../services/upload-limits.js';
import type { Store } from '../../../core/storage/store.js';
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
  type Mailbox,
} from '../translate.js';
import { messageResponse } from '../message-resource.js';
import { isBeta, mentionRecords, mentionsOf } from '../mentions.js';
import { draftView } from '../views.js';
import { GRAPH_BODY_LIMIT, isMimeRequest } from './send-mail.js';

/** The draft of this mailbox, or 404 ErrorItemNotFound. */
export async function requireDraft(store: Store, mailbox: Mailbox, id: string): Promise<DraftRecord> {
  const draft = await store.getDraft(mailbox.user.id, id);
  if (!draft) throw new MailgateError('not_found', 'The specified object was not found in the store.');
  return draft;
}

/** The message is durable in the queue (and Sent Items); the draft and its bytes go, or stay with a logged error. */
async function removeSentDraft(request: FastifyRequest, store: Store, draftId: string, messageId: string): Promise<void> {
  await afterAcceptance(request.log, 'remove sent draft', messageId, async () => {
    for (const key of await store.deleteDraft(draftId)) await store.blobs.delete(key);
  });
}

/** Stores an attachment's bytes and row; bytes first, so a row never points at nothing. */
export async function addAttachment(store: Store, draftId: string, attachment: AttachmentInput, now: number): Promise<DraftAttachmentRecord> {
  const id = newId(now);
  const blobKey = `att-${id}`;
  await store.blobs.put(blobKey, attachment.content);
  const record: DraftAttachmentRecord = {
    id,
    draftId,
    name: attachment.filename,
    contentType: attachment.contentType ?? null,
    contentId: attachment.contentId ?? null,
    isInline: attachment.inline ?? false,
    size: attachment.content.length,
    blobKeys: [blobKey],
    createdAt: now,
  };
  await store.addDraftAttachment(record);
  return record;
}

async function attachmentInputs(store: Store, draftId: string): Promise<AttachmentInput[]> {
  const records = await store.listDraftAttachments(draftId);
  const out: AttachmentInput[] = [];
  for (const a of records) {
    // Upload sessions leave one blob per chunk; they are joined only now, when the message is built.
    const parts = await Promise.all(a.blobKeys.map((key) => store.blobs.get(key)));
    const input: AttachmentInput = { filename: a.name, content: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), inline: a.isInline };
    if (a.contentType) input.contentType = a.contentType;
    if (a.contentId) input.contentId = a.contentId;
    out.push(input);
  }
  return out;
}

/** Attachments of a new draft live in their own rows; the stored message keeps only the other properties. */
const withoutAttachments = (message: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(message).filter(([key]) => key !== 'attachments'));

export function draftRoutes(app: FastifyInstance, { gateway }: GraphContext): void {
  const { store, clock, config } = gateway;

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
    if (isMimeRequest(request)) {
      const raw = decodeMimeBody(request.body);
      // The header block must parse now; the rest is the client's business until it is sent.
      readHeaderSummary(raw);
      draft.mimeBlobKey = `draft-${id}`;
      await store.blobs.put(draft.mimeBlobKey, raw);
    } else {
      const message = jsonBody(request.body);
      const fields = messageFields(message, { beta: isBeta(request) });
      // Graph refuses a foreign From only at send time; refusing it now saves the client a useless draft.
      if (fields.from) await gateway.checkSendAs(mailbox.principal, [{ address: fields.from.address, field: 'from.emailAddress.address' }]);
      draft.message = withoutAttachments(message);
      inline = fields.attachments;
    }
    const inlineBytes = inline.reduce((sum, a) => sum + a.content.length, 0);
    if (inlineBytes > 0) await assertRoomFor(store, mailbox.user.id, inlineBytes, uploadQuotaOf(config), now);
    await store.createDraft(draft);
    const attachments = [];
    for (const a of inline) attachments.push(await addAttachment(store, id, a, now));
    return reply.code(201).send(messageResponse(request, await draftView(store, draft, attachments, mailbox)));
  };
  const createOptions = { bodyLimit: GRAPH_BODY_LIMIT, config: { graphPermission: 'Mail.ReadWrite' as const } };
  mailboxRoute(app, 'post', '/messages', createOptions, create);
  mailboxRoute(app, 'post', '/mailFolders/:folderId/messages', createOptions, create);

  mailboxRoute(app, 'patch', '/messages/:id', { bodyLimit: GRAPH_BODY_LIMIT, config: { graphPermission: 'Mail.ReadWrite' } }, async (request) => {
    const mailbox = mailboxOf(request);
    const draft = await requireDraft(store, mailbox, param(request, 'id'));
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
    await store.updateDraft(draft.id, message, updated.updatedAt);
    return messageResponse(request, await draftView(store, updated, await store.listDraftAttachments(draft.id), mailbox));
  });

  mailboxRoute(app, 'post', '/messages/:id/send', { config: { graphPermission: 'Mail.Send' }, ...graphIdempotent(gateway) }, async (request, reply) => {
    const mailbox = mailboxOf(request);
    const draft = await requireDraft(store, mailbox, param(request, 'id'));
    if (draft.mimeBlobKey) {
      const raw = await store.blobs.get(draft.mimeBlobKey);
      const accepted = await gateway.ingest(fromClient(mimeSubmission(raw, mailbox), request));
      await afterAcceptance(request.log, 'sent items copy', accepted.id, async () =>
        gateway.mailboxes.fileSentCopy(mailbox.user.id, accepted, await summaryOfRaw(raw)),
      );
      await removeSentDraft(request, store, draft.id, accepted.id);
    } else {
      const fields = messageFields(draft.message, { beta: true });
      const mail = composeContent(fields, mailbox, await attachmentInputs(store, draft.id));
      // The mentions keep the ids the draft showed, as the Message-ID does.
      const mentions = mentionRecords(fields.mentions, mail.from, draft.createdAt, draft.id);
      const accepted = await gateway.ingest(fromClient(composeSubmission(mail, mailbox, draft.internetMessageId, mentions), request));
      const summary = summaryOfCompose(mail, accepted, graphProperties(fields, mentions));
      const ownerMentioned = mentionsAddress(mentions, mailbox.user.email);
      await afterAcceptance(request.log, 'sent items copy', accepted.id, () =>
        gateway.mailboxes.fileSentCopy(mailbox.user.id, accepted, summary, { ownerMentioned }),
      );
      await removeSentDraft(request, store, draft.id, accepted.id);
    }
    return reply.code(202).send();
  });
}
