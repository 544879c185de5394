/**
 * Who sent an API request, kept with the message as `meta.client` so tracking can answer seed
 * 003's `recipientMetaInfo.remoteIp`, `remoteHost` and `transmissionSize` for API submissions the
 * way it does for SMTP ones (docs/vendor-apis.md, "get-message-info for API sends").
 */
import type { FastifyRequest } from 'fastify';
import type { Submission } from '../core/message.js';

/** The HTTP client of a submission; `host` only when a name is known without a lookup. */
interface ApiClientFacts {
  ip: string;
  host?: string;
  /** Bytes of the request body as received. */
  requestSize: number;
}

function apiClientFacts(request: FastifyRequest): ApiClientFacts {
  const body: unknown = request.body;
  const declared = Number(request.headers['content-length']);
  const requestSize = Buffer.isBuffer(body) ? body.length : Number.isSafeInteger(declared) && declared >= 0 ? declared : 0;
  return { ip: request.ip, requestSize };
}

/**
 * The submission with its HTTP client's facts attached, reporting its id to the request's
 * access-log line; under an idempotency claim its durability comes with the recorded answer.
 */
export function fromClient(submission: Submission, request: FastifyRequest): Submission {
  const acceptedIds = request.accessLog?.messageIds;
  return {
    ...submission,
    meta: { ...submission.meta, client: apiClientFacts(request) },
    ...(acceptedIds ? { acceptedIds } : {}),
    ...(request.idempotencyClaim ? { durableWithAnswer: true } : {}),
  };
}
