/** `POST /api/email/send-email` (seed 000): each data item is one message. */
import type { FastifyInstance } from 'fastify';
import { afterAcceptance } from '../../after-acceptance.js';
import { apiClientFacts } from '../../client-facts.js';
import { callerOf, eachItem, requestOf, type MimecastContext } from '../context.js';
import { idempotentRoute } from '../idempotent.js';
import { sendEmailSubmission, vendorError } from '../translate.js';

/** Seed 000: "5MB is the maximum content length allowed by the API function". */
const SEND_EMAIL_LIMIT = 5 * 1024 * 1024;

export function sendEmailRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  const { store } = gateway;
  app.post('/email/send-email', { bodyLimit: SEND_EMAIL_LIMIT, ...idempotentRoute(gateway, {}) }, async (request) => {
    const { user } = callerOf(request);
    const { data } = requestOf(request);
    // Several items are several independent calls: one failing item leaves the others sent.
    return eachItem(
      data,
      async (item) => {
        const used = new Set<string>();
        const resolveFile = async (id: string) => {
          const file = await store.getFile(id);
          if (!file || file.userId !== user.id) return undefined;
          used.add(file.id);
          return store.blobs.get(file.blobKey);
        };
        const submission = await sendEmailSubmission(item, user, resolveFile);
        const accepted = await gateway.ingest({ ...submission, meta: { ...submission.meta, client: apiClientFacts(request) } });
        // Referenced by an accepted message: no longer a pending upload (quota), never purged as unused.
        await afterAcceptance(request.log, 'mark uploads used', accepted.id, () => store.markFilesUsed([...used], gateway.clock.now()));
        return { messageId: accepted.internetMessageId, messageDateHeader: accepted.date };
      },
      vendorError,
    );
  });
}
