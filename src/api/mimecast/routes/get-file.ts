/**
 * `POST /api/gateway/message/get-file`: one MIME component of a tracked message, as bytes, so a
 * reviewer can inspect it. `data: [{id, component}]` where `component` is the position in
 * get-message-info's `components` list. Success answers the bytes with the part's Content-Type;
 * failures answer the usual JSON envelope.
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { requestOf, type MimecastContext } from '../context.js';
import { mimecastEnvelope, mimecastFailure } from '../errors.js';

/** RFC 6266: an ASCII fallback plus the UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function componentIndex(value: unknown): number {
  const index = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (value === undefined) throw new MailgateError('field_required', 'component is required', 'component');
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new MailgateError('invalid_value', 'component must be a position (0, 1, …) in the message components', 'component');
  }
  return index;
}

export function getFileRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/gateway/message/get-file', { config: { permission: PERMISSION.trackingRead } }, async (request, reply) => {
    const [item] = requestOf(request).data;
    if (!item) throw new MailgateError('field_required', 'data needs one item', 'data');
    const fail = (error: MailgateError) => mimecastEnvelope([], [mimecastFailure(error, item)]);
    if (typeof item.id !== 'string' || item.id.trim() === '') return fail(new MailgateError('field_required', 'id is required', 'id'));
    let index: number;
    try {
      index = componentIndex(item.component);
    } catch (error) {
      return fail(error as MailgateError);
    }
    const found = await gateway.tracking.component(item.id.trim(), index);
    switch (found.kind) {
      case 'no_message':
        return fail(new MailgateError('not_found', `No message has the id ${item.id}`, 'id'));
      case 'no_component':
        return fail(new MailgateError('not_found', `The message has no component ${index}`, 'component'));
      case 'purged':
        return fail(new MailgateError('not_found', 'The message content has been purged (retention)', 'id'));
      case 'found':
        return reply
          .header('content-type', found.mimeType)
          .header('content-disposition', contentDisposition(found.name))
          .send(found.content);
    }
  });
}
