/**
 * `POST /api/file/file-upload`: raw bytes checked against `x-mc-arg`'s sha256 and fileSize,
 * streamed to the blob store (never held whole in memory) and counted against the user's upload
 * quota until a send references the file.
 */
import type { FastifyInstance } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { assertContentLength, bodyStream, streamBodyRoutes } from '../../stream-body.js';
import { mimecastEnvelope } from '../errors.js';
import { callerOf, type MimecastContext } from '../context.js';
import { normalizeRequest, parseLenientBody } from '../lenient-body.js';

export function fileUploadRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  const { files, config } = gateway;
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
      await files.assertRoom(user.id, fileSize);
      const id = await files.upload(user.id, bodyStream(request), { size: fileSize, sha256 });
      return mimecastEnvelope([{ id }], []);
    }),
  );
}
