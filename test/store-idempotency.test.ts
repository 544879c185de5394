/** The idempotency-key store on every backend: claims, takeover of abandoned claims, expiry after the window. */
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_WINDOW_MS, STALE_CLAIM_MS } from '../src/api/idempotency.js';
import { backends } from './helpers/backends.js';

const T0 = 1_700_000_000_000;
const claim = (owner: string, now: number) => ({ key: 'k', owner, fingerprint: 'f', now, expiresAt: now + IDEMPOTENCY_WINDOW_MS, staleBefore: now - STALE_CLAIM_MS });

describe.each(backends)('idempotency keys on $name', (backend) => {
  it('a second claim sees the first pending, then its answer, until the window ends', async () => {
    const { store, dispose } = await backend.open();
    try {
      expect(await store.claimIdempotencyKey(claim('a', T0))).toEqual({ claimed: true });
      const pending = await store.claimIdempotencyKey(claim('b', T0 + 1));
      expect(pending.claimed === false && pending.record.state).toBe('pending');
      await store.completeIdempotencyKey('k', 'b', { status: 500, contentType: null, body: Buffer.from('not mine') });
      await store.completeIdempotencyKey('k', 'a', { status: 202, contentType: 'text/plain', body: Buffer.from('first') });
      const done = await store.claimIdempotencyKey(claim('c', T0 + IDEMPOTENCY_WINDOW_MS - 1));
      expect(done.claimed === false && done.record.answer).toEqual({ status: 202, contentType: 'text/plain', body: Buffer.from('first') });
      expect(await store.purgeIdempotencyKeys(T0 + IDEMPOTENCY_WINDOW_MS - 1)).toBe(0);
      expect(await store.purgeIdempotencyKeys(T0 + IDEMPOTENCY_WINDOW_MS)).toBe(1);
      expect(await store.findIdempotencyKey('k', T0)).toBeUndefined();
    } finally {
      await dispose();
    }
  });

  it('an expired record or an abandoned claim is replaced; a released claim frees the key', async () => {
    const { store, dispose } = await backend.open();
    try {
      await store.claimIdempotencyKey(claim('a', T0));
      expect((await store.claimIdempotencyKey(claim('b', T0 + STALE_CLAIM_MS - 1))).claimed).toBe(false);
      expect(await store.claimIdempotencyKey(claim('b', T0 + STALE_CLAIM_MS + 1))).toEqual({ claimed: true });
      // The abandoned owner cannot release the new claim.
      await store.releaseIdempotencyKey('k', 'a');
      expect((await store.findIdempotencyKey('k', T0 + STALE_CLAIM_MS + 2))?.state).toBe('pending');
      await store.releaseIdempotencyKey('k', 'b');
      expect(await store.claimIdempotencyKey(claim('c', T0 + STALE_CLAIM_MS + 3))).toEqual({ claimed: true });
      await store.completeIdempotencyKey('k', 'c', { status: 200, contentType: null, body: Buffer.alloc(0) });
      expect(await store.claimIdempotencyKey(claim('d', T0 + STALE_CLAIM_MS + 3 + IDEMPOTENCY_WINDOW_MS))).toEqual({ claimed: true });
    } finally {
      await dispose();
    }
  });
});
