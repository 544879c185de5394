/**
 * Idempotent Graph sends (docs/retries.md). `Idempotency-Key` (IETF draft) is strict: another body
 * under it is 422. Otherwise `client-request-id`, Graph's documented correlation header, is the key
 * with the body part of it: SDKs make a fresh one per request and keep it across their own retries.
 */
import { idempotencyKeyHeader, idempotentHooks } from '../idempotency.js';
import type { Gateway } from '../../gateway.js';

/** Route hooks that make a Graph send idempotent. */
export function graphIdempotent(gateway: Gateway): ReturnType<typeof idempotentHooks> {
  return idempotentHooks(gateway, (request) => {
    const caller = request.graphCaller;
    if (!caller) return undefined;
    const principal = `graph:${caller.claims.clientId}:${caller.claims.subject}`;
    const strict = idempotencyKeyHeader(request);
    if (strict !== undefined) return { principal, clientKey: strict, match: 'strict' };
    const correlation = request.headers['client-request-id'];
    if (typeof correlation !== 'string' || correlation.trim() === '' || correlation.length > 255) return undefined;
    return { principal, clientKey: correlation.trim(), match: 'per-body' };
  });
}
