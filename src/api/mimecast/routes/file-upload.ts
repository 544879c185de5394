/** `POST /api/file/file-upload`: raw bytes checked against `x-mc-arg`'s sha256 and fileSize. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { MailgateError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { mimecastEnvelope } from '../errors.js';
import { callerOf, type MimecastContext } from '../context.js';
import { normalizeRequest, parseLenientBody } from '../lenient-body.js';

export function fileUploadRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  const { store } = gateway;
  app.post('/file/file-upload', async (request) => {
    const { user } = callerOf(request);
    const content = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const argHeader = request.headers['x-mc-arg'];
    if (typeof argHeader !== 'string') throw new MailgateError('field_required', 'x-mc-arg header is required', 'x-mc-arg');
    const [arg] = normalizeRequest(parseLenientBody(argHeader)).data;
    const sha256 = arg?.sha256;
    const fileSize = Number(arg?.fileSize);
    if (typeof sha256 !== 'string') throw new MailgateError('field_required', 'x-mc-arg needs sha256', 'sha256');
    if (!Number.isInteger(fileSize)) throw new MailgateError('field_required', 'x-mc-arg needs fileSize', 'fileSize');
    if (fileSize !== content.length) {
      throw new MailgateError('checksum_mismatch', `fileSize ${fileSize} does not match the ${content.length} bytes sent`, 'fileSize');
    }
    const actual = createHash('sha256').update(content).digest('hex');
    if (actual !== sha256.toLowerCase()) throw new MailgateError('checksum_mismatch', 'sha256 does not match the bytes sent', 'sha256');
    const id = newId(gateway.clock.now());
    await store.blobs.put(id, content);
    await store.createFile({ id, userId: user.id, size: content.length, sha256: actual, blobKey: id, createdAt: gateway.clock.now() });
    return mimecastEnvelope([{ id }], []);
  });
}
