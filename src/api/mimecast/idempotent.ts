/**
 * Idempotent Mimecast routes (docs/retries.md): `x-mc-req-id` is the key, per user and function,
 * with the body part of it. Without replay protection another body under a used id is simply
 * another request (clients that reuse ids keep working); with it, only the identical request gets
 * the first answer back and anything else is refused as a reused id, as before.
 */
import type { FastifyContextConfig } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import { idempotentHooks } from '../idempotency.js';
import { REPLAYED_MESSAGE } from './auth.js';
import { callerOf } from './context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route replays first answers, so the auth hook leaves a reused x-mc-req-id to it. */
    idempotent?: boolean;
  }
}

/** Route options that make a Mimecast function idempotent. */
export function idempotentRoute(gateway: Gateway, config: FastifyContextConfig): { config: FastifyContextConfig } & ReturnType<typeof idempotentHooks> {
  const hooks = idempotentHooks(gateway, (request) => {
    const reqId = request.headers['x-mc-req-id'];
    if (typeof reqId !== 'string' || reqId === '') return undefined;
    const caller = callerOf(request);
    return {
      principal: `mimecast:${caller.user.id}`,
      clientKey: reqId,
      match: 'per-body',
      ...(caller.reusedRequestId ? { replayOnly: new MailgateError('auth_replayed', REPLAYED_MESSAGE) } : {}),
    };
  });
  return { config: { ...config, idempotent: true }, ...hooks };
}
