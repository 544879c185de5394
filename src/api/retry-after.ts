/**
 * Every 503 (a full disk, an unreachable database) says when to come back (RFC 9110 10.2.3), in
 * each dialect alike: clients and HTTP libraries read `Retry-After`, whatever the body's shape.
 */
import type { FastifyInstance } from 'fastify';

/** Long enough for an operator to free space or a database to restart; short enough not to pile up mail. */
export const RETRY_AFTER_SECONDS = 30;

export function addRetryAfterOn503(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) void reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    return payload;
  });
}
