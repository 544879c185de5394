/**
 * `POST /api/file/file-upload`: raw bytes checked against `x-mc-arg`'s sha256 and fileSize,
 * streamed to the blob store (never held whole in memory) and counted against the user's upload
 * quota until a send references the file.
 */
import type { FastifyInstance } from 'fastify';
import { isMailgateError, MailgateError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { assertRoomFor, assertWithinQuota, uploadQuotaOf } from '../../../services/upload-limits.js';
import { assertContentLength, bodyStream, streamBodyRoutes } from '../../stream-body.js';
import { mimecastEnvelope } from '../errors.js';
import { callerOf, type MimecastContext } from '../context.js';
import { normalizeRequest, parseLenientBody } from '../lenient-body.js';

export function fileUploadRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  const { store, config, clock } = gateway;
  const quota = uploadQuotaOf(config);
  streamBodyRoutes(app, (child) =>
    child.post('/file/file-upload', async (request) => {
      const { user } = callerOf(request);
      const argHeader = request.headers['x-mc-arg'];
      if (typeof argHeader !== 'string') throw new MailgateError('field_required', 'x-mc-arg header is required', 'x-mc-arg');
      const [arg] = normalizeRequest(parseLenientBody(argHeader)).data;
      const sha256 = arg?.sha256;
      const fileSize = Number(arg?.fileSize);
      if (typeof sha256 !== 'string') throw new MailgateError('field_required', 'x-mc-arg needs sha256', 'sha256');
      if (!Number.isInteger(fileSize) || fileSize < 0) throw new MailgateError('field_required', 'x-mc-arg needs fileSize', 'fileSize');
      // Everything that can be refused without the body is refused before reading it.
      if (fileSize > config.maxUploadBytes) throw new MailgateError('too_large', `Files may be at most ${config.maxUploadBytes} bytes`);
      assertContentLength(request, config.maxUploadBytes);
      await assertRoomFor(store, user.id, fileSize, quota, clock.now());
      const id = newId(clock.now());
      let stored;
      try {
        stored = await store.blobs.putStream(id, bodyStream(request), fileSize);
      } catch (error) {
        if (isMailgateError(error) && error.code === 'too_large') {
          throw new MailgateError('checksum_mismatch', `More than the declared fileSize ${fileSize} bytes were sent`, 'fileSize');
        }
        throw error;
      }
      try {
        if (stored.size !== fileSize) {
          throw new MailgateError('checksum_mismatch', `fileSize ${fileSize} does not match the ${stored.size} bytes sent`, 'fileSize');
        }
        if (stored.sha256 !== sha256.toLowerCase()) throw new MailgateError('checksum_mismatch', 'sha256 does not match the bytes sent', 'sha256');
        const file = { id, userId: user.id, size: stored.size, sha256: stored.sha256, blobKey: id, createdAt: clock.now() };
        assertWithinQuota(await store.createFileWithinQuota(file, quota, clock.now()), quota);
      } catch (error) {
        // Refused after the bytes were written: they must not outlive the refusal.
        await store.blobs.delete(id);
        throw error;
      }
      return mimecastEnvelope([{ id }], []);
    }),
  );
}
