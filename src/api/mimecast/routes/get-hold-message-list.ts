/** `POST /api/gateway/get-hold-message-list` (docs/vendor-apis.md#mimecast-api-10): held messages, newest first, paginated. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { isMailgateError } from '../../../core/errors.js';
import { coerceBoolean } from '../lenient-body.js';
import { callerOf, requestOf, type MimecastContext } from '../context.js';
import { mimecastEnvelope, mimecastFailure } from '../errors.js';
import { holdQueryOf, paginationOf, renderHold } from '../held.js';

export function getHoldMessageListRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/gateway/get-hold-message-list', { config: { permission: PERMISSION.heldRead } }, async (request) => {
    const { user } = callerOf(request);
    const { data, meta } = requestOf(request);
    const item = data[0] ?? {};
    try {
      const query = { ...holdQueryOf(item, meta.pagination), status: 'held' as const };
      // Mimecast: `admin` false (the default) lists only the caller's own held mail.
      if (!coerceBoolean(item.admin, 'admin')) query.recipient = user.email;
      const { total, holds } = await gateway.heldQueue.list(query);
      const envelope = mimecastEnvelope(holds.map(renderHold), []);
      return { ...envelope, meta: { ...envelope.meta, pagination: paginationOf(query, holds.length, total) } };
    } catch (error) {
      if (!isMailgateError(error)) throw error;
      return mimecastEnvelope([], [mimecastFailure(error, item)]);
    }
  });
}
