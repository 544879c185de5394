/** `GET /tracking/messages/:id/raw`: a message's stored source (headers and all), for the console's source view. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError } from '../../../core/errors.js';
import type { AdminContext } from '../context.js';
import { rawSchema } from './tracking-schemas.js';

export function messageContentRoutes(app: FastifyInstance, { gateway }: AdminContext): void {
  app.get<{ Params: { id: string } }>(
    '/tracking/messages/:id/raw',
    { config: { permission: PERMISSION.trackingRead }, schema: rawSchema },
    async (request, reply) => {
      const found = await gateway.tracking.raw(request.params.id);
      if (found.kind !== 'found') {
        const why = found.kind === 'purged' ? 'The message content has been purged (retention)' : `No message has the id ${request.params.id}`;
        throw new MailgateError('not_found', why, 'id');
      }
      // text/plain, not message/rfc822: the browser shows it instead of offering to open a mail client.
      return reply.header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(found.content);
    },
  );
}
