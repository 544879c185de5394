/**
 * The upload URL of an attachment upload session: `PUT` chunks with `Content-Range: bytes s-e/total`
 * (in order, at most 4 MB each), `GET` its state, `DELETE` to cancel. Like Graph's, the URL is its
 * own credential: no Authorization header is needed or checked. Each request still counts against
 * the throttle of the app+mailbox that opened the session, chunks stream to the blob store, and a
 * session idle past its expiry answers 404 (docs/vendor-apis.md, "Microsoft Graph: upload sessions").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { chunkBlobKey, type UploadSessionRecord } from '../../../core/storage/draft-store.js';
import { assertContentLength, bodyStream, streamBodyRoutes } from '../../stream-body.js';
import { param, type GraphContext } from '../context.js';
import { graphDate, type GraphUploadSession } from '../schemas.js';

/** Graph: each PUT carries less than 4 MB... in practice exactly 4 MiB is accepted. */
const CHUNK_LIMIT = 4 * 1024 * 1024;
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

declare module 'fastify' {
  interface FastifyRequest {
    uploadSession?: UploadSessionRecord;
  }
}

function sessionOf(request: FastifyRequest): UploadSessionRecord {
  if (!request.uploadSession) throw new MailgateError('not_found', 'The upload session does not exist or has expired.');
  return request.uploadSession;
}

function state(session: UploadSessionRecord, received = session.received, expiresAt = session.expiresAt): GraphUploadSession {
  return { expirationDateTime: graphDate(expiresAt), nextExpectedRanges: [`${received}-${session.size - 1}`] };
}

/** The declared range of a chunk, checked against the session before any byte is read. */
function chunkRange(request: FastifyRequest, session: UploadSessionRecord): { start: number; end: number } {
  const range = CONTENT_RANGE.exec(String(request.headers['content-range'] ?? '').trim());
  if (!range) throw new MailgateError('invalid_value', 'The Content-Range header is missing or malformed.', 'Content-Range');
  const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (total !== session.size) throw new MailgateError('invalid_value', `The total size must be ${session.size}`, 'Content-Range');
  if (start !== session.received) {
    throw new MailgateError('conflict', `The fragment is out of order: the next expected byte is ${session.received}.`, 'Content-Range');
  }
  if (end < start || end >= total) throw new MailgateError('invalid_value', `Content-Range ${start}-${end} is not within the file`, 'Content-Range');
  if (end - start + 1 > CHUNK_LIMIT) throw new MailgateError('too_large', `A fragment may be at most ${CHUNK_LIMIT} bytes`, 'Content-Range');
  return { start, end };
}

export function uploadSessionRoutes(app: FastifyInstance, { gateway, throttle }: GraphContext): void {
  const { store, clock, config } = gateway;
  const idleMs = config.uploadSessionIdleSeconds * 1000;
  const options = {
    config: { graphPermission: 'none' as const },
    // Before the body is read: an unknown or expired session is refused unread, and every request
    // on the URL counts against the same app+mailbox budget as the API calls that opened it.
    async onRequest(request: FastifyRequest, reply: FastifyReply) {
      const session = await store.getUploadSession(param(request, 'sessionId'));
      if (!session || session.expiresAt <= clock.now()) throw new MailgateError('not_found', 'The upload session does not exist or has expired.');
      const release = await throttle.admit(`${session.clientId ?? ''}:${session.userId ?? ''}`, clock.now());
      reply.raw.once('close', release);
      request.uploadSession = session;
    },
  };

  streamBodyRoutes(app, (child) => {
    child.put('/attachmentSessions/:sessionId', options, async (request, reply) => {
      const session = sessionOf(request);
      const { start, end } = chunkRange(request, session);
      const length = end - start + 1;
      assertContentLength(request, length);
      const key = chunkBlobKey(session.id, session.chunks);
      const stored = await store.blobs.putStream(key, bodyStream(request), length).catch((error: unknown) => {
        throw error instanceof MailgateError && error.code === 'too_large'
          ? new MailgateError('invalid_value', `Content-Range ${start}-${end} does not match the bytes sent`, 'Content-Range')
          : error;
      });
      if (stored.size !== length) {
        await store.blobs.delete(key);
        throw new MailgateError('invalid_value', `Content-Range ${start}-${end} does not match the ${stored.size} bytes sent`, 'Content-Range');
      }
      const now = clock.now();
      // Bytes first, then the compare-and-set that makes them part of the file; activity extends the session.
      if (!(await store.recordUploadChunk(session.id, start, end + 1, now + idleMs))) {
        throw new MailgateError('conflict', 'Another request uploaded this fragment first.', 'Content-Range');
      }
      if (end + 1 < session.size) return reply.code(200).send(state(session, end + 1, now + idleMs));
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

    child.get('/attachmentSessions/:sessionId', options, async (request) => state(sessionOf(request)));

    child.delete('/attachmentSessions/:sessionId', options, async (request, reply) => {
      const session = sessionOf(request);
      for (const key of await store.deleteUploadSession(session.id)) await store.blobs.delete(key);
      return reply.code(204).send();
    });
  });
}
