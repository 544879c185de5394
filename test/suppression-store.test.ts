/** The suppression list on both real backends: which bounces suppress, expiry, renewal, and removal. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/core/storage/store.js';
import { createSuppressions } from '../src/services/suppressions.js';
import { backends } from './helpers/backends.js';

describe.each(backends)('suppression list: $name', (backend) => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  async function open(): Promise<Store> {
    const opened = await backend.open();
    dispose = opened.dispose;
    return opened.store;
  }

  it.each([
    [550, '5.1.1 <a@remote.test>: Recipient address rejected: User unknown', true],
    [550, '5.1.10 recipient not found (null MX)', true],
    [554, '5.4.4 domain not found', true],
    [550, '5.7.1 message rejected as spam', false],
    [552, '5.3.4 message size exceeds the limit', false],
    [552, 'mailbox full', false],
    [451, '4.3.0 try again later', false],
  ])('%i %s → suppressed: %s', async (code, reply, suppressed) => {
    const store = await open();
    let now = 1_000_000;
    const list = createSuppressions({ store, clock: { now: () => now }, bounceDays: 2 });
    expect(await list.recordBounce({ address: 'A@Remote.test', messageId: 'm1', code, reply })).toBe(suppressed);
    const found = await store.findSuppressions(['a@remote.test'], now);
    expect(found.map((f) => f.address)).toEqual(suppressed ? ['a@remote.test'] : []);
    if (!suppressed) return;
    expect(found[0]).toMatchObject({ sourceMessageId: 'm1', createdBy: 'system', reason: `${code} ${reply}`, expiresAt: now + 2 * 86_400_000 });
    now += 2 * 86_400_000;
    expect(await list.list()).toEqual([]);
  });

  it('renews an entry on a new bounce, keeps operator entries until removed, and refuses past expiries', async () => {
    const store = await open();
    let now = 5_000_000;
    const list = createSuppressions({ store, clock: { now: () => now }, bounceDays: 0 });
    await list.recordBounce({ address: 'b@remote.test', messageId: 'm1', code: 550, reply: '5.1.1 unknown user' });
    now += 10;
    await list.recordBounce({ address: 'b@remote.test', messageId: 'm2', code: 550, reply: '5.1.1 still unknown' });
    await list.add({ address: 'C@remote.test', reason: 'asked us to stop' }, 'ops@example.test');
    const entries = await list.list();
    expect(entries.map((e) => [e.address, e.sourceMessageId, e.expiresAt])).toEqual([
      ['b@remote.test', 'm2', null],
      ['c@remote.test', null, null],
    ]);
    await expect(list.add({ address: 'd@remote.test', expiresAt: now - 1 }, 'ops')).rejects.toMatchObject({ code: 'invalid_value', field: 'expiresAt' });
    await expect(list.add({ address: 'not an address' }, 'ops')).rejects.toMatchObject({ code: 'invalid_address' });
    await list.remove('C@Remote.test', 'ops@example.test');
    await expect(list.remove('c@remote.test', 'ops')).rejects.toMatchObject({ code: 'not_found' });
    expect((await list.list()).map((e) => e.address)).toEqual(['b@remote.test']);
  });
});
