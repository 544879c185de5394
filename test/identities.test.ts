/**
 * Listing and revoking identities (src/services/identities.ts) against a real gateway: a revoked
 * Mimecast key, a revoked app and a removed user are refused over real HTTP in each dialect's own
 * error format, and nothing is queued; lists carry no secrets; every change is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createMimecastKeys, type MimecastKeys } from '../src/auth/identity.js';
import { createOAuthClient } from '../src/auth/oauth-clients.js';
import { setUserPassword } from '../src/auth/passwords.js';
import type { IdentityService } from '../src/services/identities.js';
import { PASSWORD, startGraphFixture, type GraphFixture } from './helpers/graph.js';
import { mcPost } from './helpers/mimecast-client.js';

let f: GraphFixture;
let identities: IdentityService;

const send = (keys: MimecastKeys, subject: string) =>
  mcPost(f.gw.url, keys, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'far@remote.test' }], subject, plainBody: { content: subject } }] }));

async function mimecastToken(clientId: string, clientSecret: string) {
  const res = await fetch(`${f.gw.url}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function bearerSend(token: string, subject: string) {
  const res = await fetch(`${f.gw.url}/api/email/send-email`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ data: [{ to: [{ emailAddress: 'far@remote.test' }], subject, plainBody: { content: subject } }] }),
  });
  return { status: res.status, body: (await res.json()) as { fail: Array<{ errors: Array<{ code: string }> }> } };
}

async function graphSend(token: string, userId: string) {
  const res = await fetch(`${f.gw.url}/v1.0/users/${userId}/sendMail`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: { subject: 'app-only', toRecipients: [{ emailAddress: { address: 'far@remote.test' } }] } }),
  });
  return { status: res.status, body: res.status === 202 ? {} : ((await res.json()) as { error: { code: string } }) };
}

const auditActions = async () => (await f.gw.server.gateway.settings.audit({ offset: 0, limit: 100 })).entries.map((e) => [e.action, e.operator, e.target]);

beforeAll(async () => {
  f = await startGraphFixture();
  identities = f.gw.server.gateway.identities;
});

afterAll(async () => {
  await f?.stop();
});

describe('Mimecast 1.0 keys', () => {
  it('lists keys without secrets, and a revoked key is refused with Mimecast auth error while the user’s other key works', async () => {
    const keys = await f.gw.user('keyed@example.test');
    const other = await createMimecastKeys(f.gw.server.gateway.store, f.gw.server.gateway.secrets, { email: 'keyed@example.test' });
    expect((await send(keys, 'before revocation')).body.fail).toEqual([]);

    const listed = (await identities.keys()).find((k) => k.accessKey === keys.accessKey);
    expect(listed).toEqual({
      accessKey: keys.accessKey,
      appId: keys.appId,
      appName: 'keys for keyed@example.test',
      user: 'keyed@example.test',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: null,
      revokedAt: null,
    });
    const dump = JSON.stringify(await identities.keys());
    expect(dump).not.toContain(keys.secretKey);
    expect(dump).not.toContain(keys.appKey);

    const revoked = await identities.revokeKey(keys.accessKey, 'tester');
    expect(revoked.revokedAt).toMatch(/^\d{4}-/);
    // Revoking again changes nothing and is not audited twice.
    expect((await identities.revokeKey(keys.accessKey, 'tester')).revokedAt).toBe(revoked.revokedAt);

    const messages = await f.gw.countRows('messages');
    const refused = await send(keys, 'after revocation');
    expect(refused.status).toBe(401);
    expect(refused.body.fail[0]?.errors[0]?.code).toBe('err_xdk_unknown_access_key');
    expect(await f.gw.countRows('messages')).toBe(messages);
    expect((await send(other, 'other key')).body.fail).toEqual([]);
    expect((await auditActions()).filter(([action]) => action === 'key_revoke')).toEqual([['key_revoke', 'tester', keys.accessKey]]);
  });

  it('answers not_found for an unknown key', async () => {
    await expect(identities.revokeKey('no-such-key', 'tester')).rejects.toMatchObject({ code: 'not_found', field: 'accessKey' });
  });
});

describe('OAuth apps', () => {
  it('a revoked Mimecast 2.0 application gets no token and its unexpired token is refused; nothing is queued', async () => {
    const { store } = f.gw.server.gateway;
    const user = await addUser(store, { email: 'v2@example.test' });
    const app = await createOAuthClient(store, { name: 'v2 app', permissions: [], userId: user.id });
    const token = (await mimecastToken(app.clientId, app.clientSecret)).body.access_token as string;
    expect((await bearerSend(token, 'v2 before')).body.fail).toEqual([]);
    expect((await identities.apps()).find((a) => a.clientId === app.clientId)).toMatchObject({ kind: 'mimecast-2.0', user: 'v2@example.test', revokedAt: null });

    await identities.revokeApp(app.clientId, 'tester');
    const messages = await f.gw.countRows('messages');
    const refused = await bearerSend(token, 'v2 after');
    expect(refused.status).toBe(401);
    expect(refused.body.fail[0]?.errors[0]?.code).toBe('err_xdk_invalid_token');
    const again = await mimecastToken(app.clientId, app.clientSecret);
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_client');
    expect(await f.gw.countRows('messages')).toBe(messages);
  });

  it('a revoked Graph app gets no token, its refresh tokens are gone and its access token is refused', async () => {
    const userId = await f.user('graph-user@example.test');
    const app = await f.app(['Mail.Send']);
    const appToken = await f.appToken(app);
    expect((await graphSend(appToken, userId)).status).toBe(202);
    const delegated = await f.tokenRequest({
      grant_type: 'password',
      client_id: app.clientId,
      username: 'graph-user@example.test',
      password: PASSWORD,
      scope: 'Mail.Send offline_access',
    });
    expect(delegated.body.refresh_token).toEqual(expect.any(String));
    const listed = (await identities.apps()).find((a) => a.clientId === app.clientId);
    expect(listed).toMatchObject({ kind: 'oauth', user: null, permissions: ['Mail.Send'], revokedAt: null });
    expect(JSON.stringify(await identities.apps())).not.toContain(app.clientSecret);

    await identities.revokeApp(app.clientId, 'tester');
    const messages = await f.gw.countRows('messages');
    expect(await graphSend(appToken, userId)).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } });
    const fresh = await f.tokenRequest({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://graph.microsoft.com/.default' });
    // Azure AD's answer for an unknown application (AADSTS700016), as for one never registered.
    expect(fresh).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    const refreshed = await f.tokenRequest({ grant_type: 'refresh_token', client_id: app.clientId, refresh_token: delegated.body.refresh_token as string });
    expect(refreshed.body.error).toEqual(expect.any(String));
    expect(await f.gw.countRows('messages')).toBe(messages);
    expect(await identities.revokeApp('no-such-app', 'tester').catch((e: { code: string }) => e.code)).toBe('not_found');
  });
});

describe('users', () => {
  it('a removed user is refused everywhere, drops out of the list, and the address can be given again', async () => {
    const { store, secrets } = f.gw.server.gateway;
    const keys = await f.gw.user('leaver@example.test');
    const user = await store.getUserByEmail('leaver@example.test');
    await setUserPassword(store, user!.id, PASSWORD);
    const app = await createOAuthClient(store, { name: 'leaver app', permissions: [], userId: user!.id });
    expect((await identities.users()).map((u) => u.email)).toContain('leaver@example.test');

    expect(await identities.removeUser('Leaver@example.test', 'tester')).toMatchObject({ id: user!.id, email: 'leaver@example.test' });
    const messages = await f.gw.countRows('messages');
    const refused = await send(keys, 'after removal');
    expect(refused.status).toBe(401);
    expect(refused.body.fail[0]?.errors[0]?.code).toBe('err_xdk_unknown_access_key');
    expect((await mimecastToken(app.clientId, app.clientSecret)).status).toBe(401);
    expect(await f.gw.countRows('messages')).toBe(messages);

    expect((await identities.users()).map((u) => u.email)).not.toContain('leaver@example.test');
    expect((await identities.keys()).find((k) => k.accessKey === keys.accessKey)).toMatchObject({ user: null, revokedAt: expect.any(String) });
    expect((await identities.apps()).find((a) => a.clientId === app.clientId)?.revokedAt).toEqual(expect.any(String));
    expect(await identities.removeUser('leaver@example.test', 'tester').catch((e: { code: string }) => e.code)).toBe('not_found');

    const again = await addUser(store, { email: 'leaver@example.test' });
    expect(again.id).not.toBe(user!.id);
    const fresh = await createMimecastKeys(store, secrets, { email: 'leaver@example.test' });
    expect((await send(fresh, 'new leaver')).body.fail).toEqual([]);
    expect(await auditActions()).toContainEqual(['user_remove', 'tester', user!.id]);
  });
});

describe('DKIM keys', () => {
  it('lists keys with their DNS records, marks the signing one, and removes one', async () => {
    const first = await identities.createDkimKey({ domain: 'Signed.test', selector: 'old', algorithm: 'ed25519-sha256' }, 'tester');
    const second = await identities.createDkimKey({ domain: 'signed.test', selector: 'new', algorithm: 'ed25519-sha256' }, 'tester');
    expect(second).toMatchObject({ domain: 'signed.test', selector: 'new', dnsName: 'new._domainkey.signed.test', dnsValue: expect.stringMatching(/^v=DKIM1; k=ed25519; p=/) });
    const listed = (await identities.dkimKeys()).filter((k) => k.domain === 'signed.test');
    expect(listed.map((k) => [k.selector, k.signing])).toEqual([
      ['new', true],
      ['old', false],
    ]);
    expect(listed[1]?.dnsValue).toBe(first.dnsValue);
    expect(JSON.stringify(listed)).not.toMatch(/PRIVATE KEY/);

    await identities.removeDkimKey('signed.test', 'new', 'tester');
    expect((await identities.dkimKeys()).filter((k) => k.domain === 'signed.test').map((k) => [k.selector, k.signing])).toEqual([['old', true]]);
    expect((await f.gw.server.gateway.store.getDkimKey('signed.test'))?.selector).toBe('old');
    await expect(identities.removeDkimKey('signed.test', 'new', 'tester')).rejects.toMatchObject({ code: 'not_found' });
    expect(await auditActions()).toContainEqual(['dkim_remove', 'tester', 'new._domainkey.signed.test']);
  });

  it('refuses a bad domain, selector or algorithm', async () => {
    await expect(identities.createDkimKey({ domain: 'not a domain' }, 'tester')).rejects.toMatchObject({ field: 'domain' });
    await expect(identities.createDkimKey({ domain: 'ok.test', selector: '-bad' }, 'tester')).rejects.toMatchObject({ field: 'selector' });
    await expect(identities.createDkimKey({ domain: 'ok.test', algorithm: 'md5' }, 'tester')).rejects.toMatchObject({ field: 'algorithm' });
  });
});
