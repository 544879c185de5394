/** `POST /api/message-finder/get-message-info` (the Get Message Info page (docs/vendor-apis.md#message-tracking)): the full tracking record of each message id. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { callerOf, eachItem, requestOf, type MimecastContext } from '../context.js';
import { renderMessageInfo } from '../message-finder.js';

export function getMessageInfoRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/message-finder/get-message-info', { config: { permission: PERMISSION.trackingRead } }, async (request) => {
    const { user } = callerOf(request);
    const { data } = requestOf(request);
    return eachItem(data, async (item) => {
      const id = item.id;
      if (id === undefined) throw new MailgateError('field_required', 'id is required', 'id');
      if (typeof id !== 'string') throw new MailgateError('invalid_type', 'id must be a string', 'id');
      if (id.trim() === '') throw new MailgateError('field_blank', 'id is blank', 'id');
      const trace = await gateway.tracking.trace(id.trim(), { by: user.email, via: 'get-message-info' });
      if (!trace) throw new MailgateError('not_found', `No message has the id ${id}`, 'id');
      return renderMessageInfo(trace, { processingServer: gateway.config.hostname, now: gateway.clock.now() });
    });
  });
}
