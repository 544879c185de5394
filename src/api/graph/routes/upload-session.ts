/**
 * The upload URL of an attachment upload session: `PUT` chunks with `Content-Range: bytes s-e/total`
 * (in order, at most 4 MB each), `GET` its state, `DELETE` to cancel. Like Graph's, the URL is its
 * own credential: no Authorization header is needed or checked. Each request still counts against
 * the throttle of the app+mailbox that opened the session, chunks stream to the blob store, and a
 * session idle past its expiry answers 404 (docs/vendor-apis.md, "Microsoft Graph: upload sessions").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import type { UploadSessionRecord } from '../../../core/storage/draft-store.js';
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
  const { drafts, clock, config } = gateway;
  const idleMs = config.uploadSessionIdleSeconds * 1000;
  const options = {
    config: { graphPermission: 'none' as const },
    // Before the body is read: an unknown or expired session is refused unread, and every request
    // on the URL counts against the same app+mailbox budget as the API calls that opened it.
    async onRequest(request: FastifyRequest, reply: FastifyReply) {
      const session = await drafts.uploadSession(param(request, 'sessionId'));
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
      const now = clock.now();
      const result = await drafts.storeChunk(session, { start, end }, bodyStream(request), now + idleMs);
      if (!result.stored) throw new MailgateError('conflict', 'Another request uploaded this fragment first.', 'Content-Range');
      if (result.attachmentId === undefined) return reply.code(200).send(state(session, end + 1, now + idleMs));
      const { attachmentId } = result;
      // Graph answers the last chunk with 201, an empty body and the new attachment's location.
      const location = `${request.protocol}://${request.host}${app.prefix}/me/messages/${session.draftId}/attachments/${attachmentId}`;
      return reply.code(201).header('Location', location).send();
    });

    child.get('/attachmentSessions/:sessionId', options, async (request) => state(sessionOf(request)));

    child.delete('/attachmentSessions/:sessionId', options, async (request, reply) => {
      const session = sessionOf(request);
      await drafts.cancelUploadSession(session.id);
      return reply.code(204).send();
    });
  });
}
