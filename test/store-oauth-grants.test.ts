/** Redirect URIs, authorization codes, service accounts and reusable refresh tokens on every backend. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, UserRecord } from '../src/core/storage/store.js';
import { backends } from './helpers/backends.js';

describe.each(backends)('oauth grants on $name', (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const user: UserRecord = { id: 'u1', email: 'alice@example.test', name: null, roles: ['user'], createdAt: 1 };

  beforeEach(async () => {
    ({ store, dispose } = await backend.open());
    await store.createUser(user);
    await store.createOAuthClient({ clientId: 'c1', name: 'App', secretHash: 'sha256$x', permissions: [], createdAt: 1 });
  });
  afterEach(async () => {
    await dispose();
  });

  it('keeps redirect URIs per client, once each', async () => {
    await store.addRedirectUri('c1', 'https://app.example/cb', 1);
    await store.addRedirectUri('c1', 'https://app.example/cb', 2);
    await store.addRedirectUri('c1', 'http://127.0.0.1:9/cb', 3);
    expect(await store.listRedirectUris('c1')).toEqual(['http://127.0.0.1:9/cb', 'https://app.example/cb']);
    expect(await store.listRedirectUris('c2')).toEqual([]);
  });

  it('redeems an authorization code once, and never after it expired', async () => {
    const code = { codeHash: 'h1', clientId: 'c1', userId: user.id, redirectUri: 'https://app.example/cb', audience: 'aud', scopes: ['mail'], expiresAt: 100, createdAt: 1 };
    await store.createAuthorizationCode(code);
    await store.createAuthorizationCode({ ...code, codeHash: 'h2' });
    const both = await Promise.all([store.takeAuthorizationCode('h1', 50), store.takeAuthorizationCode('h1', 50)]);
    expect(both.filter(Boolean)).toEqual([code]);
    expect(await store.takeAuthorizationCode('h2', 100)).toBeUndefined();
  });

  it('stores and replaces an app’s service account', async () => {
    const account = { clientId: 'c1', accountId: 'c1.serviceaccount@gateway.test', publicJwk: { kty: 'RSA', n: 'x', e: 'AQAB' }, createdAt: 1 };
    await store.putServiceAccount(account);
    await store.putServiceAccount({ ...account, publicJwk: { kty: 'RSA', n: 'y', e: 'AQAB' }, createdAt: 2 });
    expect(await store.getServiceAccount('c1')).toEqual({ ...account, publicJwk: { kty: 'RSA', n: 'y', e: 'AQAB' }, createdAt: 2 });
    expect(await store.getServiceAccount('c2')).toBeUndefined();
  });

  it('finds a refresh token without consuming it, until it expires', async () => {
    const token = { tokenHash: 'r1', clientId: 'c1', userId: user.id, audience: 'aud', scopes: ['mail'], expiresAt: 100, createdAt: 1 };
    await store.createRefreshToken(token);
    expect(await store.findRefreshToken('r1', 50)).toEqual(token);
    expect(await store.findRefreshToken('r1', 60)).toEqual(token);
    expect(await store.findRefreshToken('r1', 100)).toBeUndefined();
  });
});
