/**
 * Admin queue control (docs/queue-control.md): `GET /queue`, `GET /queue/messages/:messageId`,
 * `POST /queue/messages/:messageId/retry|bounce`, `DELETE /queue/messages/:messageId` and
 * `POST /queue/domains/:domain/flush`. Actions are recorded under the caller's address.
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import type { QueueListQuery } from '../../../services/queue-control.js';
import { adminCallerOf, type AdminContext } from '../context.js';
import { flushSchema, listSchema, messageActionSchema, showSchema } from './queue-schemas.js';

type MessageParams = { Params: { messageId: string } };

export function queueRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  const read = { permission: PERMISSION.trackingRead };
  const edit = { permission: PERMISSION.admin };
  const { queue } = gateway;

  app.get<{ Querystring: QueueListQuery }>('/queue', { config: read, schema: listSchema }, async (request) => queue.list(request.query));

  app.get<MessageParams>('/queue/messages/:messageId', { config: read, schema: showSchema }, async (request) => queue.show(request.params.messageId));

  app.post<MessageParams>('/queue/messages/:messageId/retry', { config: edit, schema: messageActionSchema('Retry a message now') }, async (request) =>
    queue.retry(request.params.messageId, adminCallerOf(request).email),
  );

  app.post<MessageParams>('/queue/messages/:messageId/bounce', { config: edit, schema: messageActionSchema('Bounce a message now, with a failure notice to its sender') }, async (request) =>
    queue.bounce(request.params.messageId, adminCallerOf(request).email),
  );

  app.delete<MessageParams>('/queue/messages/:messageId', { config: edit, schema: messageActionSchema('Delete a message from the queue, without a notice') }, async (request) =>
    queue.remove(request.params.messageId, adminCallerOf(request).email),
  );

  app.post<{ Params: { domain: string } }>('/queue/domains/:domain/flush', { config: edit, schema: flushSchema }, async (request) =>
    queue.flush(request.params.domain, adminCallerOf(request).email),
  );
}
