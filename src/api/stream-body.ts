/**
 * Upload routes read their request body as a stream, written to the blob store as it arrives,
 * instead of Fastify collecting it into one Buffer first: eight parallel 49 MB uploads must not
 * mean 400 MB in memory. Routes registered inside `streamBodyRoutes` get `request.body` as the
 * raw stream; the size limits are enforced while streaming (BlobStore.putStream).
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MailgateError } from '../core/errors.js';

/** Registers `routes` in a child context whose every content type passes the body through unread. */
export function streamBodyRoutes(app: FastifyInstance, routes: (child: FastifyInstance) => void): void {
  void app.register(async (child) => {
    // body-memory.ts leaves these out of its budget: they never hold the whole body.
    child.addHook('onRoute', (route) => {
      route.config = { ...route.config, streamedBody: true };
    });
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    routes(child);
  });
}

/** The request body as a stream (empty when the request had none). */
export async function* bodyStream(request: FastifyRequest): AsyncGenerator<Uint8Array> {
  const body = request.body as Readable | undefined;
  if (body === undefined || body === null || typeof (body as Partial<Readable>)[Symbol.asyncIterator] !== 'function') return;
  for await (const piece of body) yield piece as Uint8Array;
}

/** Refuses a declared Content-Length over `maxBytes` before any byte is read. */
export function assertContentLength(request: FastifyRequest, maxBytes: number): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new MailgateError('too_large', `The request is larger than ${maxBytes} bytes`);
  }
}
