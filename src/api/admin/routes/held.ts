/**
 * The held queue for the console: `GET /held` (with score and preview), `POST /held/release` and
 * `POST /held/reject` for one or many ids, `POST /held/:id/sender-list` (block or permit the held
 * message's envelope sender) and `GET /held/log` (who released or rejected what, and when).
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import { REJECT_REASON_TYPES } from '../../../core/held-review.js';
import { heldPreview } from '../../../services/held-preview.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { heldSchemas } from './held-schemas.js';

const MAX_PAGE = 100;

export function heldRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const { held, heldQueue, store } = gateway;
  const read = { permission: PERMISSION.heldRead };
  const edit = { permission: PERMISSION.heldEdit };

  app.get<{ Querystring: { status?: 'held' | 'released' | 'rejected' | 'expired'; search?: string; offset?: number; limit?: number } }>(
    '/held',
    { config: read, schema: heldSchemas.list },
    async (request) => {
      const { status = 'held', search, offset = 0, limit = 25 } = request.query;
      const page = await heldQueue.list({
        status,
        offset,
        limit: Math.min(limit, MAX_PAGE),
        ...(search ? { search: { field: 'all', value: search } } : {}),
      });
      const holds = await Promise.all(page.holds.map(async (h) => ({ ...h, ...(await heldPreview(store, h.messageId)) })));
      return { total: page.total, holds };
    },
  );

  app.post<{ Body: { ids: string[] } }>(
    '/held/release',
    { config: edit, schema: heldSchemas.release },
    async (request) => {
      const operator = adminCallerOf(request).email;
      const results = [];
      for (const id of request.body.ids) results.push({ id, result: await held.release(id, operator) });
      return { results };
    },
  );

  app.post<{ Body: { ids: string[]; reasonType?: (typeof REJECT_REASON_TYPES)[number]; message?: string; notify?: boolean } }>(
    '/held/reject',
    { config: edit, schema: heldSchemas.reject },
    async (request) => {
      const operator = adminCallerOf(request).email;
      const { ids, reasonType, message, notify = false } = request.body;
      const options = { operator, notify, ...(reasonType ? { reasonType } : {}), ...(message ? { message } : {}) };
      const results = [];
      for (const id of ids) results.push({ id, result: await held.reject(id, options) });
      return { results };
    },
  );

  app.post<{ Params: { id: string }; Body: { list: 'permitted' | 'blocked' } }>(
    '/held/:id/sender-list',
    { config: { permission: PERMISSION.admin }, schema: heldSchemas.senderList },
    async (request, reply) => {
      const hold = await store.getHold(request.params.id);
      if (!hold) throw new MailgateError('not_found', `No held message has the id ${request.params.id}`, 'id');
      if (hold.mailFrom === '') throw new MailgateError('invalid_value', 'The message has no envelope sender (a bounce) to list', 'id');
      const note = `from held message ${hold.messageId}`;
      return reply.code(201).send(await gateway.settings.addSender(request.body.list, hold.mailFrom, note, adminCallerOf(request).email));
    },
  );

  app.get<{ Querystring: { hours?: number } }>(
    '/held/log',
    { config: read, schema: heldSchemas.log },
    async (request) => {
      const now = gateway.clock.now();
      const acted = await heldQueue.log({ start: now - (request.query.hours ?? 24 * 7) * 3_600_000, end: now });
      const entries = acted
        .map(({ entry, hold }) => ({ at: entry.at, operator: entry.operator, action: entry.action, messageId: hold.messageId, subject: hold.subject, mailFrom: hold.mailFrom }))
        .sort((a, b) => b.at - a.at);
      return { entries };
    },
  );
}
