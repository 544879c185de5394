/**
 * Mimecast API 1.0 (contracts.md §1): `MC` HMAC auth, the {meta,data,fail} envelope, tolerant
 * bodies, rate-limit headers. Everything here stays inside this encapsulated plugin.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MailgateError, isMailgateError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { createRateLimiter } from '../../core/rate-limit.js';
import type { Gateway } from '../../gateway.js';
import type { UserRecord } from '../../store/store.js';
import { authenticateMimecast } from './auth.js';
import { mimecastEnvelope, mimecastFailure } from './errors.js';
import { normalizeRequest, parseLenientBody } from './lenient-body.js';
import { sendEmailSubmission, vendorError } from './translate.js';

/** Seed 000: "5MB is the maximum content length allowed by the API function". */
const SEND_EMAIL_LIMIT = 5 * 1024 * 1024;

interface Caller {
  user: UserRecord;
  accessKey: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    mimecastCaller?: Caller;
  }
}

function callerOf(request: FastifyRequest): Caller {
  if (!request.mimecastCaller) throw new MailgateError('auth_missing');
  return request.mimecastCaller;
}

/** Fastify's own failures (body too large, bad content) translated into the error table. */
function asMailgateError(error: unknown): MailgateError {
  if (isMailgateError(error)) return error;
  const fastifyError = error as { code?: string; statusCode?: number; message?: string };
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new MailgateError('too_large');
  if (fastifyError.statusCode === 400) return new MailgateError('malformed_request', fastifyError.message);
  return new MailgateError('internal');
}

function parseBody(body: unknown) {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  return normalizeRequest(parseLenientBody(text));
}

export async function mimecastPlugin(app: FastifyInstance, opts: { gateway: Gateway }): Promise<void> {
  const { gateway } = opts;
  const { store, config } = gateway;
  const limiter = createRateLimiter(config.rateLimitPerMinute, 60_000);

  // Real clients send JSON, Python reprs, octet streams or no Content-Type at all: take bytes, parse per route.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.maxUploadBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    const failure = asMailgateError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, 'mimecast request failed');
    void reply.code(failure.httpStatus).send(mimecastEnvelope([], [mimecastFailure(failure)], failure.httpStatus));
  });
  app.setNotFoundHandler((_request, reply) => {
    const failure = new MailgateError('not_found', 'No such API function');
    void reply.code(404).send(mimecastEnvelope([], [mimecastFailure(failure)], 404));
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') throw new MailgateError('method_not_allowed', 'Mimecast API functions are called with POST');
    const caller = await authenticateMimecast(
      { headers: request.headers, path: request.url.split('?')[0] ?? request.url },
      {
        store,
        secrets: gateway.secrets,
        now: gateway.clock.now(),
        clockSkewSeconds: config.clockSkewSeconds,
        replayProtection: config.replayProtection,
      },
    );
    request.mimecastCaller = { user: caller.user, accessKey: caller.accessKey };
    const decision = limiter.take(caller.accessKey, gateway.clock.now());
    void reply.headers({
      'X-RateLimit-Limit': decision.limit,
      'X-RateLimit-Remaining': Math.max(0, decision.remaining),
      'X-RateLimit-Reset': decision.resetMs,
    });
    if (!decision.allowed) throw new MailgateError('rate_limited');
  });

  app.post('/email/send-email', { bodyLimit: SEND_EMAIL_LIMIT }, async (request) => {
    const { user } = callerOf(request);
    const { data } = parseBody(request.body);
    if (data.length === 0) throw new MailgateError('field_required', 'data needs at least one item', 'data');
    const delegations = await store.listDelegations(user.id);
    const resolveFile = async (id: string) => {
      const file = await store.getFile(id);
      return file && file.userId === user.id ? store.blobs.get(file.blobKey) : undefined;
    };
    const ok: unknown[] = [];
    const fail: unknown[] = [];
    // Several items are several independent calls: one failing item leaves the others sent.
    for (const item of data) {
      try {
        const accepted = await gateway.ingest(await sendEmailSubmission(item, user, delegations, resolveFile));
        ok.push({ messageId: accepted.internetMessageId, messageDateHeader: accepted.date });
      } catch (error) {
        if (!isMailgateError(error)) throw error;
        fail.push(mimecastFailure(vendorError(error), item));
      }
    }
    return mimecastEnvelope(ok, fail);
  });

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
