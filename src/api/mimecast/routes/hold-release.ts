/** `POST /api/gateway/hold-release` (contracts.md §1.4): each `{id}` item is released independently. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { callerOf, requestOf, type MimecastContext } from '../context.js';
import { mimecastEnvelope, mimecastFailure } from '../errors.js';
import { holdActionFailure } from '../held.js';

export function holdReleaseRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/gateway/hold-release', { config: { permission: PERMISSION.heldEdit } }, async (request) => {
    const { user } = callerOf(request);
    const { data } = requestOf(request);
    if (data.length === 0) throw new MailgateError('field_required', 'data needs at least one {id}', 'data');
    const ok: unknown[] = [];
    const fail: unknown[] = [];
    for (const item of data) {
      if (typeof item.id !== 'string' || item.id === '') {
        fail.push(mimecastFailure(new MailgateError('field_required', 'id is required', 'id'), item));
        continue;
      }
      const result = await gateway.held.release(item.id, user.email);
      if (result === 'done') ok.push({ id: item.id, release: true });
      else fail.push(mimecastFailure(holdActionFailure(result), item));
    }
    return mimecastEnvelope(ok, fail);
  });
}
