/**
 * Mimecast `get-account` and `get-internal-users`, the calls integrations make to test their keys,
 * checked against the vendor's documented responses (docs/vendor-apis.md): field names and types,
 * the permission each needs, pagination, and a refusal that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createMimecastKeys, type MimecastKeys } from '../src/auth/identity.js';
import { tenantIdFor } from '../src/auth/tenant.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost, type McResponse } from './helpers/mimecast-client.js';

let gw: TestGateway;
let admin: MimecastKeys;
let plain: MimecastKeys;
let tracker: MimecastKeys;

beforeAll(async () => {
  gw = await startTestGateway({ MAILGATE_LOCAL_DOMAINS: 'contoso.com,fabrikam.test', MAILGATE_RETENTION_DAYS: '45' });
  const { store, secrets } = gw.server.gateway;
  admin = await gw.user('Admin@contoso.com', ['admin']);
  plain = await gw.user('plain@contoso.com');
  tracker = await gw.user('tracker@contoso.com', ['tracking']);
  await addUser(store, { email: 'AdeleV@contoso.com', name: 'Adele Vance' });
  await addUser(store, { email: 'AlexW@contoso.com', name: 'Alex Wilber' });
  await addUser(store, { email: 'someone@fabrikam.test' });
  await createMimecastKeys(store, secrets, { email: 'adelev@contoso.com' });
});

afterAll(async () => {
  await gw?.stop();
});

function call(keys: MimecastKeys, uri: string, body: unknown): Promise<McResponse> {
  return mcPost(gw.url, keys, uri, JSON.stringify(body));
}

describe('POST /api/account/get-account', () => {
  it('answers the documented fields from this gateway, for the sample request {"data": []}', async () => {
    const res = await call(admin, '/api/account/get-account', { data: [] });
    expect(res.status).toBe(200);
    expect(res.body.meta.status).toBe(200);
    expect(res.body.fail).toEqual([]);
    expect(res.body.data).toHaveLength(1);
    const account = res.body.data[0] as Record<string, unknown>;
    // Every field of the documented response, with the documented type.
    const types: Record<string, string> = {
      maxRetention: 'number', accountCode: 'string', domain: 'string', automatedSegmentPurge: 'boolean',
      databaseCode: 'string', supportCode: 'string', region: 'string', accountName: 'string',
      maxRetentionConfirmed: 'boolean', archive: 'boolean', gateway: 'boolean', policyInheritance: 'boolean',
      passphrase: 'string', type: 'string', mailPlatform: 'string', mimecastId: 'string', adminEmail: 'string', userCount: 'number',
    };
    for (const [field, type] of Object.entries(types)) expect(typeof account[field], field).toBe(type);
    expect(Array.isArray(account.packages)).toBe(true);
    expect(account).toMatchObject({
      accountName: 'gateway.test',
      accountCode: tenantIdFor('gateway.test'),
      domain: 'contoso.com',
      maxRetention: 45,
      gateway: true,
      adminEmail: 'Admin@contoso.com',
      userCount: 6,
      passphrase: '',
    });
  });

  it('needs Accounts | Dashboard | Read: a tracking key is refused with 403, changing nothing', async () => {
    const before = await gw.countRows('users');
    const res = await call(tracker, '/api/account/get-account', { data: [] });
    expect(res.status).toBe(403);
    expect(res.body.meta.status).toBe(403);
    expect(res.body.data).toEqual([]);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_forbidden');
    expect(res.body.fail[0]?.errors[0]?.message).toContain('Accounts | Dashboard | Read');
    expect(await gw.countRows('users')).toBe(before);
    expect(await gw.countRows('messages')).toBe(0);
  });
});

describe('POST /api/user/get-internal-users', () => {
  it('lists the users of the domain with their address as created, paginated', async () => {
    const first = await call(admin, '/api/user/get-internal-users', { meta: { pagination: { pageSize: 2 } }, data: [{ domain: 'CONTOSO.com' }] });
    expect(first.status).toBe(200);
    expect(first.body.fail).toEqual([]);
    const page1 = first.body.data[0] as { users: Array<Record<string, unknown>>; userCount: number };
    expect(page1.userCount).toBe(5);
    expect(page1.users).toHaveLength(2);
    const pagination = (first.body.meta as unknown as { pagination: { pageSize: number; totalCount: number; next?: string } }).pagination;
    expect(pagination).toMatchObject({ pageSize: 2, totalCount: 5 });
    expect(typeof pagination.next).toBe('string');

    const seen = [...page1.users];
    let token = pagination.next;
    while (token) {
      const next = await call(admin, '/api/user/get-internal-users', { meta: { pagination: { pageSize: 2, pageToken: token } }, data: [{ domain: 'contoso.com' }] });
      seen.push(...(next.body.data[0] as { users: Array<Record<string, unknown>> }).users);
      token = (next.body.meta as unknown as { pagination: { next?: string } }).pagination.next;
    }
    expect(seen.map((u) => u.emailAddress).sort()).toEqual(['AdeleV@contoso.com', 'AlexW@contoso.com', 'Admin@contoso.com', 'plain@contoso.com', 'tracker@contoso.com'].sort());
    expect(seen.find((u) => u.emailAddress === 'AdeleV@contoso.com')).toEqual({
      emailAddress: 'AdeleV@contoso.com',
      name: 'Adele Vance',
      alias: false,
      addressType: 'internal',
      domain: 'contoso.com',
    });
  });

  it('fails the item without a domain (the documented required field), in the envelope', async () => {
    const res = await call(admin, '/api/user/get-internal-users', { data: [{}] });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_null', field: 'domain' });
  });

  it('needs Directories | Internal | Read: a plain user key is refused with 403, changing nothing', async () => {
    const before = await gw.countRows('users');
    const res = await call(plain, '/api/user/get-internal-users', { data: [{ domain: 'contoso.com' }] });
    expect(res.status).toBe(403);
    expect(res.body.data).toEqual([]);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_forbidden');
    expect(res.body.fail[0]?.errors[0]?.message).toContain('Directories | Internal | Read');
    expect(await gw.countRows('users')).toBe(before);
    expect(await gw.countRows('messages')).toBe(0);
  });
});
