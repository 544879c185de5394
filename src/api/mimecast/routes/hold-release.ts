/** `POST /api/gateway/hold-release` (docs/vendor-apis.md#mimecast-api-10): each `{id}` item is released independently. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { callerOf, eachItem, requestOf, type MimecastContext } from '../context.js';
import { holdActionFailure } from '../held.js';
import { idempotentRoute } from '../idempotent.js';

export function holdReleaseRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/gateway/hold-release', idempotentRoute(gateway, { permission: PERMISSION.heldEdit }), async (request) => {
    const { user } = callerOf(request);
    const { data } = requestOf(request);
    return eachItem(data, async (item) => {
      if (typeof item.id !== 'string' || item.id === '') throw new MailgateError('field_required', 'id is required', 'id');
      const result = await gateway.held.release(item.id, user.email);
      if (result !== 'done') throw holdActionFailure(result);
      return { id: item.id, release: true };
    });
  });
}
