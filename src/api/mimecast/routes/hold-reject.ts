/**
 * `POST /api/gateway/hold-reject` (the Reject Held Message page (docs/vendor-apis.md#held-messages)): each item's `ids` are rejected independently, with
 * the optional `message` and `reasonType` (one of the seed's values), and a notice to the sender
 * when `notify` (default false; the seed's own sample sends it as the string "false").
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError, isMailgateError } from '../../../core/errors.js';
import { REJECT_REASON_TYPES } from '../../../core/held-review.js';
import { assertHeaderText } from '../../../core/validate.js';
import { coerceBoolean } from '../lenient-body.js';
import { callerOf, requestOf, type MimecastContext } from '../context.js';
import { mimecastEnvelope, mimecastFailure } from '../errors.js';
import { holdActionFailure } from '../held.js';
import { idempotentRoute } from '../idempotent.js';

/** Accepts the seed's values in any case, with spaces or underscores. */
function reasonTypeOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const wanted = typeof value === 'string' ? value.trim().toUpperCase().replace(/_/g, ' ') : '';
  const found = REJECT_REASON_TYPES.find((r) => r === wanted);
  if (!found) throw new MailgateError('invalid_value', `reasonType must be one of: ${REJECT_REASON_TYPES.join(', ')}`, 'reasonType');
  return found;
}

function idsOf(value: unknown): string[] {
  const ids = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(ids) || ids.length === 0) throw new MailgateError('field_required', 'ids needs at least one message id', 'ids');
  if (ids.some((id) => typeof id !== 'string' || id === '')) throw new MailgateError('invalid_type', 'ids must be message id strings', 'ids');
  return ids as string[];
}

export function holdRejectRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/gateway/hold-reject', idempotentRoute(gateway, { permission: PERMISSION.heldEdit }), async (request) => {
    const { user } = callerOf(request);
    const { data } = requestOf(request);
    if (data.length === 0) throw new MailgateError('field_required', 'data needs at least one item', 'data');
    const ok: unknown[] = [];
    const fail: unknown[] = [];
    for (const item of data) {
      let options: { message?: string; reasonType?: string; notify: boolean };
      let ids: string[];
      try {
        ids = idsOf(item.ids);
        const reasonType = reasonTypeOf(item.reasonType);
        const message = item.message === undefined || item.message === null ? undefined : assertHeaderText(String(item.message), 'message');
        options = {
          notify: coerceBoolean(item.notify, 'notify') ?? false,
          ...(message !== undefined ? { message } : {}),
          ...(reasonType !== undefined ? { reasonType } : {}),
        };
      } catch (error) {
        if (!isMailgateError(error)) throw error;
        fail.push(mimecastFailure(error, item));
        continue;
      }
      // Each id stands alone: one unknown or already-released id fails only itself.
      for (const id of ids) {
        const result = await gateway.held.reject(id, { operator: user.email, ...options });
        if (result === 'done') ok.push({ id, reject: true });
        else fail.push(mimecastFailure(holdActionFailure(result), { ...item, ids: [id] }));
      }
    }
    return mimecastEnvelope(ok, fail);
  });
}
