/** Idempotent LINE WORKS sends (docs/retries.md): `Idempotency-Key` (IETF draft), per user; another body under a used key is 422. */
import { idempotencyKeyHeader, idempotentHooks } from '../idempotency.js';
import type { Gateway } from '../../gateway.js';

/** Route hooks that make a LINE WORKS send idempotent. */
export function worksIdempotent(gateway: Gateway): ReturnType<typeof idempotentHooks> {
  return idempotentHooks(gateway, (request) => {
    const caller = request.worksCaller;
    const clientKey = idempotencyKeyHeader(request);
    if (!caller || clientKey === undefined) return undefined;
    return { principal: `works:${caller.user.id}`, clientKey, match: 'strict' };
  });
}
