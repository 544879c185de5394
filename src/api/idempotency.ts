/**
 * Idempotent retries for state-changing routes (docs/retries.md): a request repeated with the same
 * key within 24 hours gets the first 2xx answer back and changes nothing. The key is claimed in the
 * store before the handler runs (insert-or-conflict, so two processes cannot both run it); a
 * concurrent duplicate is answered 409 and the first request's failure frees the key for a real retry.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onSendHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { MailgateError } from '../core/errors.js';
import type { Gateway } from '../gateway.js';

/** How long a first answer is replayed. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** A claim still pending after this belongs to a process that died mid-request; a retry may take it over. */
export const STALE_CLAIM_MS = 120_000;
/** The header that marks a replayed answer (the name Stripe and others use). */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** The key a request carries, as a dialect reads it. */
export interface RequestKey {
  /** Whose key it is (dialect and user or app): two callers' keys never meet. */
  principal: string;
  clientKey: string;
  /**
   * `strict` (Idempotency-Key): another body under the same key is refused 422.
   * `per-body` (x-mc-req-id, client-request-id): the body is part of the key, so another body is another request.
   */
  match: 'strict' | 'per-body';
  /** Only a stored answer may be given; a request that would run is refused with this error (Mimecast replay protection). */
  replayOnly?: MailgateError;
}

interface Claimed {
  key: string;
  owner: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: Claimed;
  }
}

function sha256(...parts: Array<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

function bodyBytes(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.from(typeof request.body === 'string' ? request.body : '');
}

function replay(reply: FastifyReply, answer: { status: number; contentType: string | null; body: Buffer }): FastifyReply {
  void reply.code(answer.status).header(REPLAYED_HEADER, 'true');
  if (answer.contentType) void reply.header('content-type', answer.contentType);
  return reply.send(answer.body.length > 0 ? answer.body : undefined);
}

/** Route hooks that make a route idempotent; `keyOf` answers undefined when the request carries no key. */
export function idempotentHooks(
  gateway: Pick<Gateway, 'store' | 'clock'>,
  keyOf: (request: FastifyRequest) => RequestKey | undefined,
): { preHandler: preHandlerAsyncHookHandler; onSend: onSendHookHandler } {
  const { store, clock } = gateway;

  const preHandler: preHandlerAsyncHookHandler = async (request, reply) => {
    const given = keyOf(request);
    if (!given) return;
    const fingerprint = sha256(request.headers['content-type'] ?? '', bodyBytes(request));
    const route = request.url.split('?')[0] ?? request.url;
    const key = sha256(given.principal, request.method, route, given.clientKey, given.match === 'per-body' ? fingerprint : '');
    const now = clock.now();
    if (given.replayOnly) {
      const record = await store.findIdempotencyKey(key, now);
      if (record?.state === 'pending') throw new MailgateError('request_in_progress');
      if (!record?.answer) throw given.replayOnly;
      return replay(reply, record.answer);
    }
    const owner = randomUUID();
    const result = await store.claimIdempotencyKey({
      key,
      owner,
      fingerprint,
      now,
      expiresAt: now + IDEMPOTENCY_WINDOW_MS,
      staleBefore: now - STALE_CLAIM_MS,
    });
    if (result.claimed) {
      request.idempotencyClaim = { key, owner };
      return;
    }
    if (result.record.fingerprint !== fingerprint) throw new MailgateError('idempotency_key_reused');
    if (!result.record.answer) throw new MailgateError('request_in_progress');
    return replay(reply, result.record.answer);
  };

  const onSend: onSendHookHandler = async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    // Messages this request accepted were committed without waiting for the disk (fromClient):
    // the durable commit of the answer carries them, or else a flush must before anyone is told.
    const accepted = (request.accessLog?.messageIds.length ?? 0) > 0;
    let durable = !accepted;
    try {
      if (reply.statusCode >= 200 && reply.statusCode < 300 && (payload === null || payload === undefined || typeof payload === 'string' || Buffer.isBuffer(payload))) {
        const contentType = reply.getHeader('content-type');
        await store.completeIdempotencyKey(claim.key, claim.owner, {
          status: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : null,
          body: Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? ''),
        });
        durable = true;
      } else {
        await store.releaseIdempotencyKey(claim.key, claim.owner);
      }
    } catch (err) {
      // The answer still goes out; the claim goes stale after STALE_CLAIM_MS and a retry then runs for real.
      request.log.error({ err }, 'could not record the answer of an idempotent request');
    }
    // Failing this fails the request (500): a message that may not be on disk is not reported accepted.
    if (!durable) await store.flushWrites();
    return payload;
  };

  return { preHandler, onSend };
}

/** The `Idempotency-Key` header (IETF draft), when present and sensible. */
export function idempotencyKeyHeader(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (value.length > 255) throw new MailgateError('invalid_value', 'Idempotency-Key is longer than 255 characters', 'Idempotency-Key');
  return value.trim();
}
