/** `POST /api/message-finder/search` (docs/vendor-apis.md#mimecast-api-10): find tracked messages; newest first, paginated. */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { isMailgateError } from '../../../core/errors.js';
import { requestOf, type MimecastContext } from '../context.js';
import { mimecastEnvelope, mimecastFailure } from '../errors.js';
import { renderTrackedEmail, searchCriteriaOf } from '../message-finder.js';

export function messageFinderSearchRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/message-finder/search', { config: { permission: PERMISSION.trackingRead } }, async (request) => {
    const { data, meta } = requestOf(request);
    // No item at all is a search with every default (the last 24 hours).
    const items = data.length > 0 ? data : [{}];
    const ok: unknown[] = [];
    const fail: unknown[] = [];
    let pagination: Record<string, unknown> | undefined;
    for (const item of items) {
      try {
        const result = await gateway.tracking.search(searchCriteriaOf(item, meta.pagination));
        ok.push({ trackedEmails: result.items.map(renderTrackedEmail) });
        // One page per request: the first item's paging is the response's.
        pagination ??= {
          pageSize: result.items.length,
          totalCount: result.total,
          ...(result.nextPageToken ? { next: result.nextPageToken } : {}),
        };
      } catch (error) {
        if (!isMailgateError(error)) throw error;
        fail.push(mimecastFailure(error, item));
      }
    }
    const envelope = mimecastEnvelope(ok, fail);
    return pagination ? { ...envelope, meta: { ...envelope.meta, pagination } } : envelope;
  });
}
