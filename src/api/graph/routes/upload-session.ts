/**
 * The upload URL of an attachment upload session: `PUT` chunks with `Content-Range: bytes s-e/total`
 * (in order, at most 4 MB each), `GET` its state, `DELETE` to cancel. Like Graph's, the URL is its
 * own credential: no Authorization header is needed or checked.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { chunkBlobKey, type UploadSessionRecord } from '../../../store/draft-store.js';
import type { Store } from '../../../store/store.js';
import { param, type GraphContext } from '../context.js';
import { graphDate, type GraphUploadSession } from '../schemas.js';

/** Graph: each PUT carries less than 4 MB... in practice exactly 4 MiB is accepted. */
const CHUNK_LIMIT = 4 * 1024 * 1024;
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

async function liveSession(store: Store, request: FastifyRequest, now: number): Promise<UploadSessionRecord> {
  const session = await store.getUploadSession(param(request, 'sessionId'));
  if (!session || session.expiresAt <= now) throw new MailgateError('not_found', 'The upload session does not exist or has expired.');
  return session;
}

function state(session: UploadSessionRecord, received = session.received): GraphUploadSession {
  return { expirationDateTime: graphDate(session.expiresAt), nextExpectedRanges: [`${received}-${session.size - 1}`] };
}

export function uploadSessionRoutes(app: FastifyInstance, { gateway }: GraphContext): void {
  const { store, clock } = gateway;
  const options = { config: { graphPermission: 'none' as const } };

  app.put('/attachmentSessions/:sessionId', { ...options, bodyLimit: CHUNK_LIMIT }, async (request, reply) => {
    const now = clock.now();
    const session = await liveSession(store, request, now);
    const range = CONTENT_RANGE.exec(String(request.headers['content-range'] ?? '').trim());
    if (!range) throw new MailgateError('invalid_value', 'The Content-Range header is missing or malformed.', 'Content-Range');
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    const chunk = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (total !== session.size) throw new MailgateError('invalid_value', `The total size must be ${session.size}`, 'Content-Range');
    if (start !== session.received) {
      throw new MailgateError('conflict', `The fragment is out of order: the next expected byte is ${session.received}.`, 'Content-Range');
    }
    if (end < start || end >= total || chunk.length !== end - start + 1) {
      throw new MailgateError('invalid_value', `Content-Range ${start}-${end} does not match the ${chunk.length} bytes sent`, 'Content-Range');
    }
    // Bytes first, then the compare-and-set that makes them part of the file.
    await store.blobs.put(chunkBlobKey(session.id, session.chunks), chunk);
    if (!(await store.recordUploadChunk(session.id, start, end + 1))) {
      throw new MailgateError('conflict', 'Another request uploaded this fragment first.', 'Content-Range');
    }
    if (end + 1 < total) return reply.code(200).send(state(session, end + 1));
    const attachmentId = newId(now);
    await store.completeUploadSession(session.id, {
      id: attachmentId,
      draftId: session.draftId,
      name: session.name,
      contentType: session.contentType,
      contentId: session.contentId,
      isInline: session.isInline,
      size: session.size,
      blobKeys: Array.from({ length: session.chunks + 1 }, (_, i) => chunkBlobKey(session.id, i)),
      createdAt: now,
    });
    // Graph answers the last chunk with 201, an empty body and the new attachment's location.
    const location = `${request.protocol}://${request.host}${app.prefix}/me/messages/${session.draftId}/attachments/${attachmentId}`;
    return reply.code(201).header('Location', location).send();
  });

  app.get('/attachmentSessions/:sessionId', options, async (request) => state(await liveSession(store, request, clock.now())));

  app.delete('/attachmentSessions/:sessionId', options, async (request, reply) => {
    const session = await liveSession(store, request, clock.now());
    for (const key of await store.deleteUploadSession(session.id)) await store.blobs.delete(key);
    return reply.code(204).send();
  });
}
