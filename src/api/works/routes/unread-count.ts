/** `GET /users/{userId}/mail/unread-count`: `{count}` of unread mail in every folder. */
import type { FastifyInstance } from 'fastify';
import { worksUserOf, type WorksContext } from '../context.js';

export function unreadCountRoute(app: FastifyInstance, { gateway }: WorksContext): void {
  const { mailboxes } = gateway;
  app.get('/users/:userId/mail/unread-count', { config: { worksScope: 'mail.read', worksOperation: 'getUnreadMailCount' } }, async (request) => {
    const counts = await mailboxes.folderCounts(worksUserOf(request).id);
    return { count: counts.reduce((sum, c) => sum + c.unread, 0) };
  });
}
