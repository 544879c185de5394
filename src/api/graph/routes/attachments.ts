/**
 * Draft attachments: `POST /messages/{id}/attachments` (a fileAttachment under 3 MB) and
 * `POST /messages/{id}/attachments/createUploadSession` (3–150 MB, uploaded in chunks).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { isObject, optionalString, requiredString } from '../../../core/json-fields.js';
import { sanitizeFilename } from '../../../core/validate.js';
import { mailboxOf, mailboxRoute, param, type GraphContext } from '../context.js';
import { graphDate, type GraphFileAttachment, type GraphUploadSession } from '../schemas.js';
import { booleanOf, fileAttachmentOf, jsonBody, UPLOAD_SESSION_LIMIT } from '../translate.js';
import { GRAPH_BODY_LIMIT } from './send-mail.js';

export function attachmentRoutes(app: FastifyInstance, { gateway }: GraphContext): void {
  const { drafts, clock, config } = gateway;

  mailboxRoute(app, 'post', '/messages/:id/attachments', { bodyLimit: GRAPH_BODY_LIMIT, config: { graphPermission: 'Mail.ReadWrite' } }, async (request, reply) => {
    const mailbox = mailboxOf(request);
    const draft = await drafts.require(mailbox.user.id, param(request, 'id'));
    if (draft.mimeBlobKey) throw new MailgateError('invalid_value', 'A draft created from MIME carries its attachments in its MIME.', 'url');
    const body = jsonBody(request.body);
    const attachment = fileAttachmentOf(body, '');
    attachment.filename = sanitizeFilename(attachment.filename, 'name');
    const record = await drafts.addAttachment(draft, attachment);
    const resource: GraphFileAttachment = {
      '@odata.type': '#microsoft.graph.fileAttachment',
      id: record.id,
      lastModifiedDateTime: graphDate(record.createdAt),
      name: record.name,
      contentType: record.contentType,
      size: record.size,
      isInline: record.isInline,
      contentId: record.contentId,
      contentBytes: attachment.content.toString('base64'),
    };
    return reply.code(201).send(resource);
  });

  mailboxRoute(app, 'post', '/messages/:id/attachments/createUploadSession', { config: { graphPermission: 'Mail.ReadWrite' } }, async (request, reply) => {
    const mailbox = mailboxOf(request);
    const draft = await drafts.require(mailbox.user.id, param(request, 'id'));
    if (draft.mimeBlobKey) throw new MailgateError('invalid_value', 'A draft created from MIME carries its attachments in its MIME.', 'url');
    const body = jsonBody(request.body);
    // The v1.0 metadata names the parameter AttachmentItem; clients also write it camel-cased.
    const item = body.AttachmentItem ?? body.attachmentItem;
    if (!isObject(item)) throw new MailgateError('field_required', 'AttachmentItem is required', 'AttachmentItem');
    const type = optionalString(item, 'attachmentType', 'AttachmentItem.attachmentType');
    if (type !== undefined && type.toLowerCase() !== 'file') {
      throw new MailgateError('invalid_value', 'Only file attachments can be uploaded', 'AttachmentItem.attachmentType');
    }
    const size = item.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
      throw new MailgateError('invalid_value', 'AttachmentItem.size must be a positive whole number of bytes', 'AttachmentItem.size');
    }
    if (size > UPLOAD_SESSION_LIMIT) {
      throw new MailgateError('too_large', `Attachments may be at most ${UPLOAD_SESSION_LIMIT} bytes`, 'AttachmentItem.size');
    }
    const now = clock.now();
    const id = randomBytes(24).toString('base64url');
    const contentType = optionalString(item, 'contentType', 'AttachmentItem.contentType');
    const contentId = optionalString(item, 'contentId', 'AttachmentItem.contentId');
    // Graph's sessions lapse when idle; each chunk moves the expiry on (docs/vendor-apis.md).
    const expiresAt = now + config.uploadSessionIdleSeconds * 1000;
    // The declared size is reserved now: a session that could never complete is refused before any chunk.
    await drafts.openUploadSession({
      id,
      draftId: draft.id,
      name: sanitizeFilename(requiredString(item, 'name', 'AttachmentItem.name'), 'AttachmentItem.name'),
      contentType: contentType ?? null,
      contentId: contentId ?? null,
      isInline: booleanOf(item.isInline, 'AttachmentItem.isInline', false),
      size,
      received: 0,
      chunks: 0,
      expiresAt,
      createdAt: now,
      clientId: request.graphCaller?.claims.clientId ?? null,
    });
    const session: GraphUploadSession = {
      '@odata.context': `${request.protocol}://${request.host}${app.prefix}/$metadata#microsoft.graph.uploadSession`,
      uploadUrl: `${request.protocol}://${request.host}${app.prefix}/attachmentSessions/${id}`,
      expirationDateTime: graphDate(expiresAt),
      // An explicit end: the Kiota upload task reads "0-" as an empty range.
      nextExpectedRanges: [`0-${size - 1}`],
    };
    return reply.code(201).send(session);
  });
}
