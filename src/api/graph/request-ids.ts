/**
 * Graph's correlation ids (docs/vendor-apis.md, "Graph correlation ids"): every response carries
 * `request-id` (ours) and `client-request-id` (the client's, or a fresh one when it sent none),
 * and an error body repeats both in `innerError`, so a failure can be matched to its headers.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface GraphRequestIds {
  requestId: string;
  clientRequestId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    graphIds?: GraphRequestIds;
  }
}

/** The request's ids, chosen once: whichever of the hook and the error handler runs first decides. */
export function graphRequestIds(request: FastifyRequest): GraphRequestIds {
  if (request.graphIds) return request.graphIds;
  const requestId = randomUUID();
  const given = request.headers['client-request-id'];
  // Graph answers a request without the header with a generated id (it equals request-id there too).
  const clientRequestId = typeof given === 'string' && given.trim() !== '' ? given : requestId;
  request.graphIds = { requestId, clientRequestId };
  return request.graphIds;
}

/** Puts both ids on the response; called on every request and again before an error is sent. */
export function setGraphRequestIdHeaders(request: FastifyRequest, reply: FastifyReply): GraphRequestIds {
  const ids = graphRequestIds(request);
  void reply.headers({ 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId });
  return ids;
}
