/**
 * Held-message review end to end through the Mimecast held functions (docs/vendor-apis.md#held-messages):
 * list, release, reject with a notice, the vendor's Python sample, expiry; delivery to real SMTP sinks
 * and local mailboxes.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHeldReview } from '../src/core/held-review.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GTUBE, startHeldEnv, type HeldEnv } from './helpers/held-env.js';
import { mcPost } from './helpers/mimecast-client.js';

let env: HeldEnv['env'];
let reviewer: HeldEnv['reviewer'];
let plain: HeldEnv['plain'];
let sender: HeldEnv['sender'];
let withPolicy: HeldEnv['withPolicy'];
let sendInbound: HeldEnv['sendInbound'];
let statuses: HeldEnv['statuses'];
let mc: HeldEnv['mc'];

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

beforeAll(async () => {
  ({ env, reviewer, plain, sender, withPolicy, sendInbound, statuses, mc } = await startHeldEnv());
});

afterAll(async () => {
  await env?.stop();
});

describe('held-message review (Mimecast)', () => {
  it('lists held messages with search, filters and pagination, and summarises them per policy', async () => {
    const a = await sendInbound({ subject: 'gtube one', text: GTUBE });
    const b = await sendInbound({ subject: 'gtube two', text: GTUBE });
    const page1 = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ admin: true, searchBy: { fieldName: 'subject', value: 'gtube' }, filterBy: [{ fieldName: 'route', value: 'inbound' }] }], {
      pagination: { pageSize: 1 },
    });
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(1);
    const meta = page1.body.meta as unknown as { pagination: { totalCount: number; next: string } };
    expect(meta.pagination.totalCount).toBe(2);
    const page2 = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ admin: true, searchBy: { fieldName: 'subject', value: 'gtube' } }], {
      pagination: { pageSize: 1, pageToken: meta.pagination.next },
    });
    const ids = [page1.body.data[0]?.id, page2.body.data[0]?.id];
    expect(ids.sort()).toEqual([a, b].sort());
    expect(page1.body.data[0]).toMatchObject({
      reasonId: 'MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY',
      reasonCode: 'message_hold_applied_spam_signature_policy',
      reason: 'Message Hold Applied - Spam Signature policy',
      policyInfo: 'Default Inbound Spam Scanning',
      route: 'INBOUND',
      from: { emailAddress: 'news@pass.test' },
      to: { emailAddress: 'alice@example.test' },
      hasAttachments: false,
      dateReceived: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
    });
    const wrongGroup = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ admin: true, searchBy: { fieldName: 'subject', value: 'gtube' }, filterBy: [{ fieldName: 'heldGroup', value: 'user' }] }]);
    expect(wrongGroup.body.data).toEqual([]);
    const own = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ searchBy: { fieldName: 'subject', value: 'gtube' } }]);
    expect(own.body.data).toEqual([]);
    const summary = await mc(reviewer, '/api/gateway/get-hold-summary-list', []);
    expect(summary.body.data).toContainEqual({ policyInfo: 'Default Inbound Spam Scanning', numberOfItems: expect.any(Number) });
    const bad = await mc(reviewer, '/api/gateway/get-hold-message-list', [{ searchBy: { fieldName: 'colour', value: 'x' } }]);
    expect(bad.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_invalid_value', field: 'searchBy.fieldName' });
  });

  it('release delivers to the local mailbox; the release log names the operator', async () => {
    const id = await sendInbound({ subject: 'release me', text: GTUBE });
    expect(await statuses(id)).toEqual({ 'alice@example.test': 'held' });
    const delivered = env.gw.nextSettlement((s) => s.messageId === id && s.status === 'delivered');
    const res = await mc(reviewer, '/api/gateway/hold-release', [{ id }]);
    expect(res.body).toEqual({ meta: { status: 200 }, data: [{ id, release: true }], fail: [] });
    await delivered;
    const events = await env.gw.server.gateway.store.listEvents(id);
    expect(events.find((e) => e.kind === 'released')?.detail).toMatchObject({ operator: 'reviewer@example.test' });
    const logs = await mc(reviewer, '/api/gateway/get-held-release-logs', [{ searchBy: { fieldName: 'subject', value: 'release me' } }]);
    expect(logs.body.data).toEqual([expect.objectContaining({ id, action: 'release', operator: { emailAddress: 'reviewer@example.test' } })]);
  });

  it('release of held outbound mail delivers it to the relay', async () => {
    await withPolicy({ name: 'Outbound review', kind: 'sender', routes: ['outbound'], params: { addresses: ['sender@example.test'] } }, async () => {
      await mcPost(env.gw.url, sender, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'out@remote.test' }], subject: 'needs review', plainBody: { content: 'x' } }] }));
    });
    const { holds } = await env.gw.server.gateway.store.listHolds({ status: 'held', search: { field: 'subject', value: 'needs review' }, offset: 0, limit: 1 });
    const id = holds[0]?.messageId as string;
    const before = env.sink.messages.length;
    await mc(reviewer, '/api/gateway/hold-release', [{ id }]);
    const arrived = (await env.sink.waitForMessages(before + 1)).slice(before);
    expect(arrived.map((m) => m.rcptTo)).toContainEqual(['out@remote.test']);
  });

  it('reject without notify rejects and sends nothing; with notify the sender gets the reason and message', async () => {
    const quiet = await sendInbound({ from: 'quiet@pass.test', subject: 'reject quietly', text: GTUBE });
    const loud = await sendInbound({ from: 'loud@pass.test', subject: 'reject loudly', text: GTUBE });
    const before = env.sink.messages.length;
    const res = await mc(reviewer, '/api/gateway/hold-reject', [
      { ids: [quiet], message: 'Not today', reasonType: 'MESSAGE CONTAINS UNDESIRABLE CONTENT' },
      { ids: [loud], message: 'Please do not send test spam', reasonType: 'message goes against email policies', notify: true },
    ]);
    expect(res.body.data).toEqual([
      { id: quiet, reject: true },
      { id: loud, reject: true },
    ]);
    expect(await statuses(quiet)).toEqual({ 'alice@example.test': 'rejected' });
    const [notice] = (await env.sink.waitForMessages(before + 1)).slice(before);
    expect(notice?.rcptTo).toEqual(['loud@pass.test']);
    const text = notice?.raw.toString() ?? '';
    expect(text).toMatch(/Subject: \[Message rejected\] reject loudly/);
    expect(text).toContain('Reason: MESSAGE GOES AGAINST EMAIL POLICIES');
    expect(text).toContain('Please do not send test spam');
    expect(env.sink.messages.slice(before).some((m) => m.rcptTo.includes('quiet@pass.test'))).toBe(false);
  });

  it('acts on each id independently: unknown, already released and good ids in one call', async () => {
    const good = await sendInbound({ subject: 'mixed good', text: GTUBE });
    const released = await sendInbound({ subject: 'mixed released', text: GTUBE });
    await mc(reviewer, '/api/gateway/hold-release', [{ id: released }]);
    const res = await mc(reviewer, '/api/gateway/hold-reject', [{ ids: ['no-such-id', released, good], reasonType: 'INAPPROPRIATE COMMUNICATION' }]);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([{ id: good, reject: true }]);
    expect(res.body.fail).toEqual([
      { key: expect.objectContaining({ ids: ['no-such-id'] }), errors: [expect.objectContaining({ code: 'err_xdk_not_found', field: 'id' })] },
      { key: expect.objectContaining({ ids: [released] }), errors: [expect.objectContaining({ code: 'err_xdk_conflict', field: 'id' })] },
    ]);
    const again = await mc(reviewer, '/api/gateway/hold-release', [{ id: good }, { id: 'nope' }]);
    expect(again.body.fail.map((f) => f.errors[0]?.code)).toEqual(['err_xdk_conflict', 'err_xdk_not_found']);
    const badType = await mc(reviewer, '/api/gateway/hold-reject', [{ ids: [good], reasonType: 'BECAUSE' }]);
    expect(badType.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_invalid_value', field: 'reasonType' });
  });

  it('refuses callers without the Held permissions (403 in the Mimecast envelope)', async () => {
    for (const uri of ['/api/gateway/hold-release', '/api/gateway/hold-reject', '/api/gateway/get-hold-message-list', '/api/gateway/get-held-release-logs', '/api/gateway/get-hold-summary-list']) {
      const res = await mc(plain, uri, [{ id: 'x', ids: ['x'] }]);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ meta: { status: 403 }, data: [], fail: [{ errors: [{ code: 'err_xdk_forbidden' }] }] });
    }
  });

  it('the seed 004 Python sample, run verbatim, rejects a held message', async () => {
    const id = await sendInbound({ subject: 'python rejects me', text: GTUBE });
    const { stdout } = await run('python3', [path.join(root, 'test/fixtures/mimecast/hold_reject_sample.py')], {
      env: {
        ...process.env,
        MC_BASE_URL: env.gw.url,
        MC_ACCESS_KEY: reviewer.accessKey,
        MC_SECRET_KEY: reviewer.secretKey,
        MC_APP_ID: reviewer.appId,
        MC_APP_KEY: reviewer.appKey,
        MC_HELD_ID: id,
        MC_REJECT_MESSAGE: 'Rejected by the Python sample',
        MC_REASON_TYPE: 'REVIEWER DISAPPROVES OF CONTENT',
      },
    });
    expect(JSON.parse(stdout)).toEqual({ meta: { status: 200 }, data: [{ id, reject: true }], fail: [] });
    expect(await statuses(id)).toEqual({ 'alice@example.test': 'rejected' });
    const audit = await env.gw.server.gateway.store.listAudit({ actions: ['hold_reject'], offset: 0, limit: 50 });
    expect(audit.entries.find((e) => e.target === id)).toMatchObject({
      operator: 'reviewer@example.test',
      detail: { message: 'Rejected by the Python sample', reasonType: 'REVIEWER DISAPPROVES OF CONTENT', notify: false },
    });
  });

  it('expires holds past their lifetime (rejected, audited as system)', async () => {
    const id = await sendInbound({ subject: 'left alone', text: GTUBE });
    const gateway = env.gw.server.gateway;
    const hold = await gateway.store.getHold(id);
    const later = createHeldReview({
      store: gateway.store,
      ingest: gateway.ingest,
      notifier: { wake: () => undefined },
      clock: { now: () => (hold?.expiresAt ?? 0) + 1 },
      hostname: 'gateway.test',
      queueLifetimeMs: 1000,
    });
    expect(await later.expire()).toBeGreaterThanOrEqual(1);
    expect(await statuses(id)).toEqual({ 'alice@example.test': 'rejected' });
    expect((await gateway.store.getHold(id))?.status).toBe('expired');
  });
});
