/** Fastify's own failures (body too large, unparseable content) translated into the one error table. */
import { isDiskFull } from '../core/disk-full.js';
import { MailgateError, isMailgateError } from '../core/errors.js';

/** Any error a route or Fastify threw, as a core error; unknown ones become `internal`. */
export function asMailgateError(error: unknown): MailgateError {
  if (isMailgateError(error)) return error;
  const fastifyError = error as { code?: string; statusCode?: number; message?: string };
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new MailgateError('too_large');
  // Uploads and drafts write outside ingest()'s guard; a full disk is temporary for them too.
  if (isDiskFull(error)) return new MailgateError('insufficient_storage');
  if (fastifyError.statusCode === 400) return new MailgateError('malformed_request', fastifyError.message);
  return new MailgateError('internal');
}
