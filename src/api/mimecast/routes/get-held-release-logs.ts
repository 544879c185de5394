/**
 * `POST /api/gateway/get-held-release-logs` (docs/vendor-apis.md#mimecast-api-10): what reviewers (and expiry) did
 * to held messages, newest first: operator, time, action and reason, with the message's facts.
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { isMailgateError } from '../../../core/errors.js';
import type { AuditEntry, HoldQuery, HoldRecord } from '../../../core/storage/inbound-store.js';
import { requestOf, type MimecastContext } from '../context.js';
import { mimecastEnvelope, mimecastFailure } from '../errors.js';
import { holdQueryOf, paginationOf, renderHold } from '../held.js';
import { formatMimecastDate } from '../search-date.js';


/** Search and filters apply to the message the entry is about. */
function matches(hold: HoldRecord, query: HoldQuery): boolean {
  if (query.routes && !query.routes.includes(hold.route)) return false;
  if (query.heldGroup && hold.heldGroup !== query.heldGroup) return false;
  if (!query.search || query.search.value === '') return true;
  const needle = query.search.value.toLowerCase();
  const fields = {
    subject: [hold.subject],
    sender: [hold.mailFrom, hold.fromHeader],
    recipient: [hold.toAddress],
    reason_code: [hold.reasonCode],
    all: [hold.subject, hold.mailFrom, hold.fromHeader, hold.toAddress, hold.reasonCode],
  }[query.search.field];
  return fields.some((f) => f.toLowerCase().includes(needle));
}

function renderLog(entry: AuditEntry, hold: HoldRecord): Record<string, unknown> {
  const action = entry.action.replace(/^hold_/, '');
  return {
    ...renderHold(hold),
    action,
    operator: { emailAddress: entry.operator },
    actionDate: formatMimecastDate(entry.at),
    // Mimecast's field name for when a message left the held queue.
    released: formatMimecastDate(entry.at),
    ...(typeof entry.detail.reasonType === 'string' ? { rejectReason: entry.detail.reasonType } : {}),
    ...(typeof entry.detail.message === 'string' ? { rejectMessage: entry.detail.message } : {}),
    ...(typeof entry.detail.notify === 'boolean' ? { notify: entry.detail.notify } : {}),
  };
}

export function getHeldReleaseLogsRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/gateway/get-held-release-logs', { config: { permission: PERMISSION.heldRead } }, async (request) => {
    const { data, meta } = requestOf(request);
    const item = data[0] ?? {};
    try {
      const query = holdQueryOf(item, meta.pagination);
      // The time window is the action's; search and filters are the message's.
      const acted = await gateway.heldQueue.log({
        ...(query.start !== undefined ? { start: query.start } : {}),
        ...(query.end !== undefined ? { end: query.end } : {}),
      });
      const rows = acted.filter(({ hold }) => matches(hold, query)).map(({ entry, hold }) => renderLog(entry, hold));
      const page = rows.slice(query.offset, query.offset + query.limit);
      const envelope = mimecastEnvelope(page, []);
      return { ...envelope, meta: { ...envelope.meta, pagination: paginationOf(query, page.length, rows.length) } };
    } catch (error) {
      if (!isMailgateError(error)) throw error;
      return mimecastEnvelope([], [mimecastFailure(error, item)]);
    }
  });
}
