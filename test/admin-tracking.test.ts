/** The admin API's tracking and retention routes, over real HTTP with Mimecast-key signed requests. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let gw: TestGateway;
let admin: MimecastKeys;
let tracker: MimecastKeys;
let plain: MimecastKeys;
let messageId: string;

async function call(keys: MimecastKeys | undefined, method: string, uri: string, body?: unknown): Promise<{ status: number; body: Item; raw: Buffer; type: string | null }> {
  const res = await fetch(gw.url + uri, {
    method,
    headers: { ...(keys ? mcHeaders(keys, uri.split('?')[0] as string) : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type');
  return { status: res.status, raw, type, body: type?.startsWith('application/json') ? (JSON.parse(raw.toString()) as Item) : {} };
}

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await gw.user('admin@example.test', ['admin']);
  tracker = await gw.user('tracker@example.test', ['tracking']);
  plain = await gw.user('plain@example.test');
  const settled = gw.nextSettlement((s) => s.status === 'delivered');
  const sent = await mcPost(gw.url, plain, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'far@remote.test' }], subject: 'admin console view', plainBody: { content: 'console body' } }] }));
  expect(sent.body.fail).toEqual([]);
  messageId = (await settled).messageId;
});

afterAll(async () => {
  await gw?.stop();
});

describe('admin tracking API', () => {
  it('searches with ISO dates and answers neutral records', async () => {
    const res = await call(tracker, 'POST', '/admin/api/tracking/search', { subject: 'console view', start: new Date(Date.now() - 3_600_000).toISOString() });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.items[0]).toMatchObject({ id: messageId, status: 'delivered', envelopeFrom: 'plain@example.test', route: 'outbound', hasAttachments: false });
    expect(res.body.nextPageToken).toBeUndefined();
  });

  it('answers the full record and audits the view', async () => {
    const res = await call(tracker, 'GET', `/admin/api/tracking/messages/${messageId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: messageId, status: 'delivered', source: 'mimecast', principal: 'plain@example.test' });
    expect(res.body.recipients[0]).toMatchObject({ address: 'far@remote.test', status: 'delivered', lastAttempt: { transport: 'capture', code: 250, reply: 'captured' } });
    expect(res.body.content.textBody.trim()).toBe('console body');
    expect(res.body.retention.audits.at(-1)).toMatchObject({ type: 'viewed', by: 'tracker@example.test', info: 'Tracking record viewed via admin-api' });
    const component = await call(tracker, 'GET', `/admin/api/tracking/messages/${messageId}/components/0`);
    expect(component.type).toMatch(/^text\/plain/);
    expect(component.raw.toString().trim()).toBe('console body');
  });

  it('refuses bad input with the admin error body', async () => {
    expect(await call(tracker, 'POST', '/admin/api/tracking/search', { start: 'last week' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_value', field: 'start' } } });
    const reversed = await call(tracker, 'POST', '/admin/api/tracking/search', { start: '2024-01-02T00:00:00Z', end: '2024-01-01T00:00:00Z' });
    expect(reversed).toMatchObject({ status: 400, body: { error: { code: 'invalid_value', field: 'start' } } });
    expect(await call(tracker, 'GET', '/admin/api/tracking/messages/unknown')).toMatchObject({ status: 404, body: { error: { code: 'not_found', field: 'id' } } });
    expect((await call(tracker, 'GET', `/admin/api/tracking/messages/${messageId}/components/7`)).status).toBe(404);
  });

  it('checks authentication and permissions', async () => {
    expect((await call(undefined, 'POST', '/admin/api/tracking/search', {})).status).toBe(401);
    expect(await call(plain, 'POST', '/admin/api/tracking/search', {})).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await call(tracker, 'GET', '/admin/api/retention/holds')).status).toBe(403);
  });
});

describe('admin retention API', () => {
  it('places, lists and releases litigation holds', async () => {
    const placed = await call(admin, 'POST', '/admin/api/retention/holds', { address: 'Far@Remote.test', description: 'Case 9' });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ address: 'far@remote.test', createdBy: 'admin@example.test', description: 'Case 9' });
    expect((await call(admin, 'GET', '/admin/api/retention/holds')).body.holds.map((h: Item) => h.id)).toEqual([placed.body.id]);

    const trace = await call(tracker, 'GET', `/admin/api/tracking/messages/${messageId}`);
    expect(trace.body.retention).toMatchObject({ basedOn: 'litigation hold', holds: [expect.objectContaining({ id: placed.body.id })] });

    expect((await call(admin, 'DELETE', `/admin/api/retention/holds/${placed.body.id}`)).status).toBe(204);
    expect(await call(admin, 'DELETE', `/admin/api/retention/holds/${placed.body.id}`)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await call(admin, 'GET', '/admin/api/retention/holds')).body.holds).toEqual([]);
    expect((await call(admin, 'GET', '/admin/api/retention/holds?all=true')).body.holds).toHaveLength(1);
  });

  it('refuses malformed holds', async () => {
    const both = await call(admin, 'POST', '/admin/api/retention/holds', { address: 'a@b.test', messageId, description: 'x' });
    expect(both).toMatchObject({ status: 400, body: { error: { code: 'invalid_value' } } });
    expect(await call(admin, 'POST', '/admin/api/retention/holds', { messageId })).toMatchObject({ status: 400, body: { error: { code: 'field_required', field: 'description' } } });
    expect(await call(admin, 'POST', '/admin/api/retention/holds', { address: 'not an address', description: 'x' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_address' } } });
    expect(await call(admin, 'POST', '/admin/api/retention/holds', { messageId: 'missing', description: 'x' })).toMatchObject({ status: 404, body: { error: { field: 'messageId' } } });
  });

  it('runs a purge pass on demand (nothing is due yet)', async () => {
    expect(await call(admin, 'POST', '/admin/api/retention/purge', {})).toMatchObject({ status: 200, body: { purged: 0 } });
  });
});
