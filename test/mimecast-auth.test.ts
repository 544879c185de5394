import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateMimecast, type MimecastAuthDeps } from '../src/api/mimecast/auth.js';
import { createSecretBox } from '../src/auth/secret-box.js';
import { MailgateError, type ErrorCode } from '../src/core/errors.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/core/storage/store.js';

const NOW = Date.UTC(2026, 10, 7, 10, 0, 0); // Sat, 7 Nov 2026 10:00:00 UTC
const SKEW = 900;
const PATH = '/api/email/send-email';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const APP_KEY = 'app-key-aaaaaaaa-bbbb';
const OTHER_APP_ID = '99999999-8888-7777-6666-555555555555';
const ACCESS_KEY = 'mYtOL3XZCOwG96BOiFTZRpyxiZyYomRlhdWnoymRMVHBnsL1BsJRrxWWbUnoRk';
const EXPIRED_KEY = 'expiredKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const SECRET = randomBytes(64).toString('base64');

/** The contract, written out independently of the code under test. */
function sign(date: string, reqId: string, uri: string, appKey = APP_KEY, secret = SECRET): string {
  return createHmac('sha1', Buffer.from(secret, 'base64')).update(`${date}:${reqId}:${uri}:${appKey}`).digest('base64');
}

function signedHeaders(date: string, reqId = randomBytes(16).toString('hex'), accessKey = ACCESS_KEY) {
  return {
    authorization: `MC ${accessKey}:${sign(date, reqId, PATH)}`,
    'x-mc-date': date,
    'x-mc-req-id': reqId,
    'x-mc-app-id': APP_ID,
    'content-type': 'application/json',
  } as Record<string, string | string[] | undefined>;
}

let dir: string;
let store: Store;
let deps: MimecastAuthDeps;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mailgate-mc-auth-'));
  store = await openSqliteStore(dir);
  const secrets = createSecretBox(randomBytes(32));
  await store.createUser({ id: 'u1', email: 'alice@example.com', name: 'Alice', roles: ['user'], createdAt: NOW });
  await store.createApiApp({ appId: APP_ID, appKeyEnc: secrets.seal(APP_KEY), name: 'client', createdAt: NOW });
  await store.createApiApp({ appId: OTHER_APP_ID, appKeyEnc: secrets.seal('other-app-key'), name: 'other', createdAt: NOW });
  const key = { secretKeyEnc: secrets.seal(SECRET), appId: APP_ID, userId: 'u1', createdAt: NOW };
  await store.createApiKey({ ...key, accessKey: ACCESS_KEY, expiresAt: NOW + 86_400_000 });
  await store.createApiKey({ ...key, accessKey: EXPIRED_KEY, expiresAt: NOW - 1 });
  deps = { store, secrets, now: NOW, clockSkewSeconds: SKEW, replayProtection: false };
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(headers: Record<string, string | string[] | undefined>, over: Partial<MimecastAuthDeps> = {}) {
  try {
    await authenticateMimecast({ headers, path: PATH }, { ...deps, ...over });
  } catch (error) {
    if (error instanceof MailgateError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

async function expectCode(
  headers: Record<string, string | string[] | undefined>,
  code: ErrorCode,
  over: Partial<MimecastAuthDeps> = {},
): Promise<MailgateError> {
  const error = await rejection(headers, over);
  expect(error.code).toBe(code);
  return error;
}

describe('authenticateMimecast', () => {
  it.each([
    ['Python/PowerShell samples', 'Sat, 07 Nov 2026 10:00:00 UTC'],
    ['C# ToString("R")', 'Sat, 07 Nov 2026 10:00:00 GMT'],
    ['Java EEE, d MMM yyyy HH:mm:ss z', 'Sat, 7 Nov 2026 10:00:00 UTC'],
    ['Java in a named local zone', 'Sat, 7 Nov 2026 11:00:00 CET'],
    ['Go time.RFC1123 with a local zone', 'Sat, 07 Nov 2026 02:00:00 PST'],
    ['Go time.RFC1123Z', 'Sat, 07 Nov 2026 15:30:00 +0530'],
    ['a few minutes off', 'Sat, 07 Nov 2026 10:14:59 UTC'],
  ])('accepts a request signed with the %s date format', async (_label, date) => {
    const principal = await authenticateMimecast({ headers: signedHeaders(date), path: PATH }, deps);
    expect(principal).toEqual({
      user: expect.objectContaining({ id: 'u1', email: 'alice@example.com' }),
      accessKey: ACCESS_KEY,
      appId: APP_ID,
    });
  });

  it('tolerates trailing whitespace and newlines after the signature', async () => {
    const date = 'Sat, 07 Nov 2026 10:00:00 UTC';
    for (const suffix of ['\n', '\r\n', '  ', '\t\n']) {
      const headers = signedHeaders(date);
      headers.authorization += suffix;
      await expect(authenticateMimecast({ headers, path: PATH }, deps)).resolves.toMatchObject({ accessKey: ACCESS_KEY });
    }
  });

  it('finds headers whatever their case and accepts a repeated identical value', async () => {
    const headers = signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC');
    const shouted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    await expect(authenticateMimecast({ headers: shouted, path: PATH }, deps)).resolves.toMatchObject({ appId: APP_ID });
    headers['x-mc-app-id'] = [APP_ID, APP_ID];
    await expect(authenticateMimecast({ headers, path: PATH }, deps)).resolves.toMatchObject({ appId: APP_ID });
  });

  it('refuses a wrong signature', async () => {
    const date = 'Sat, 07 Nov 2026 10:00:00 UTC';
    const reqId = 'req-1';
    const cases = [
      sign(date, reqId, PATH, APP_KEY, randomBytes(64).toString('base64')), // another secret
      sign(date, reqId, '/api/gateway/hold-release'), // another path
      sign(date, 'req-2', PATH), // another request id
      sign(date, reqId, PATH, 'other-app-key'), // another app key
      sign(date, reqId, PATH).slice(0, -2), // truncated
      'not-base64!',
    ];
    for (const signature of cases) {
      const headers = { ...signedHeaders(date, reqId), authorization: `MC ${ACCESS_KEY}:${signature}` };
      const error = await expectCode(headers, 'auth_invalid_signature');
      expect(error.httpStatus).toBe(401);
    }
  });

  it('signs the date exactly as sent: a reformatted date does not verify', async () => {
    const headers = signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC');
    headers['x-mc-date'] = 'Sat, 07 Nov 2026 10:00:00 GMT';
    await expectCode(headers, 'auth_invalid_signature');
  });

  it('refuses an unknown access key', async () => {
    await expectCode(signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC', 'r', 'noSuchKey'), 'auth_unknown_key');
  });

  it('refuses a key presented with another application id, known or not', async () => {
    for (const appId of [OTHER_APP_ID, 'no-such-app']) {
      const headers = { ...signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC'), 'x-mc-app-id': appId };
      await expectCode(headers, 'auth_unknown_app');
    }
  });

  it('refuses dates outside the clock skew in both directions, and accepts the edges', async () => {
    const late = await expectCode(signedHeaders('Sat, 07 Nov 2026 09:44:59 UTC'), 'auth_stale_date');
    expect(late.message).toMatch(/901 s behind/);
    const early = await expectCode(signedHeaders('Sat, 07 Nov 2026 10:15:01 UTC'), 'auth_stale_date');
    expect(early.message).toMatch(/901 s ahead of/);
    for (const edge of ['Sat, 07 Nov 2026 09:45:00 UTC', 'Sat, 07 Nov 2026 10:15:00 UTC']) {
      await expect(authenticateMimecast({ headers: signedHeaders(edge), path: PATH }, deps)).resolves.toBeDefined();
    }
    // The skew is configuration, not a constant.
    await expectCode(signedHeaders('Sat, 07 Nov 2026 10:01:01 UTC'), 'auth_stale_date', { clockSkewSeconds: 60 });
  });

  it('refuses a date it cannot parse', async () => {
    for (const date of ['2026-11-07T10:00:00Z', 'yesterday', 'Sat, 07 Nov 2026 10:00:00 XYZ']) {
      const error = await expectCode(signedHeaders(date), 'auth_bad_date');
      expect(error.message).toContain(date);
    }
  });

  it('answers 418 for an expired binding, but only once the signature verifies', async () => {
    const date = 'Sat, 07 Nov 2026 10:00:00 UTC';
    const error = await expectCode(signedHeaders(date, 'r-exp', EXPIRED_KEY), 'auth_binding_expired');
    expect(error.httpStatus).toBe(418);
    const unsigned = { ...signedHeaders(date, 'r-exp', EXPIRED_KEY), authorization: `MC ${EXPIRED_KEY}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=` };
    await expectCode(unsigned, 'auth_invalid_signature');
    // A binding is valid up to, not including, its expiry instant.
    const expiry = NOW + 86_400_000;
    await expectCode(signedHeaders(new Date(expiry).toUTCString(), 'r-exp2'), 'auth_binding_expired', { now: expiry });
    await expect(
      authenticateMimecast({ headers: signedHeaders(new Date(expiry - 1000).toUTCString()), path: PATH }, { ...deps, now: expiry - 1 }),
    ).resolves.toBeDefined();
  });

  it.each([
    ['authorization', 'Authorization'],
    ['x-mc-date', 'x-mc-date'],
    ['x-mc-req-id', 'x-mc-req-id'],
    ['x-mc-app-id', 'x-mc-app-id'],
  ])('refuses a request without %s, naming it', async (header, display) => {
    const headers = signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC');
    delete headers[header];
    const error = await expectCode(headers, 'auth_missing');
    expect(error.message).toContain(display);
    expect(error.field).toBe(display);
    const blank = { ...signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC'), [header]: '  ' };
    await expectCode(blank, 'auth_missing');
  });

  it.each([
    ['Bearer abc'],
    [`MC ${ACCESS_KEY}`],
    [`MC :signature`],
    [`MC ${ACCESS_KEY}:`],
    [`${ACCESS_KEY}:signature`],
  ])('refuses a malformed Authorization header %j', async (authorization) => {
    await expectCode({ ...signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC'), authorization }, 'auth_malformed');
  });

  it('refuses two different values for one credential header', async () => {
    const headers = signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC');
    headers['x-mc-req-id'] = ['a', 'b'];
    await expectCode(headers, 'auth_malformed');
  });

  it('refuses a key whose user no longer exists', async () => {
    const withoutUser: MimecastAuthDeps['store'] = { ...store, getUserById: async () => undefined };
    await expectCode(signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC'), 'auth_unknown_key', { store: withoutUser });
  });

  it('accepts a reused x-mc-req-id when replay protection is off (the default)', async () => {
    const headers = signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC', 'same-id-off');
    await authenticateMimecast({ headers, path: PATH }, deps);
    await expect(authenticateMimecast({ headers, path: PATH }, deps)).resolves.toBeDefined();
  });

  it('refuses a reused x-mc-req-id when replay protection is on', async () => {
    const on = { ...deps, replayProtection: true };
    const headers = signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC', 'same-id-on');
    await authenticateMimecast({ headers, path: PATH }, on);
    await expectCode(headers, 'auth_replayed', on);
    // A different id is fine, and so is a fresh date with the same id once the window is over.
    await expect(authenticateMimecast({ headers: signedHeaders('Sat, 07 Nov 2026 10:00:00 UTC'), path: PATH }, on)).resolves.toBeDefined();
    const later = NOW + 2 * SKEW * 1000 + 1000;
    const laterDate = new Date(later).toUTCString();
    await expect(
      authenticateMimecast({ headers: signedHeaders(laterDate, 'same-id-on'), path: PATH }, { ...on, now: later }),
    ).resolves.toBeDefined();
  });

  it('does not remember ids of requests that fail the signature check', async () => {
    const on = { ...deps, replayProtection: true };
    const date = 'Sat, 07 Nov 2026 10:00:00 UTC';
    const forged = { ...signedHeaders(date, 'victim-id'), authorization: `MC ${ACCESS_KEY}:${sign(date, 'victim-id', '/x')}` };
    await expectCode(forged, 'auth_invalid_signature', on);
    await expect(authenticateMimecast({ headers: signedHeaders(date, 'victim-id'), path: PATH }, on)).resolves.toBeDefined();
  });

  it('scopes remembered ids to the access key', async () => {
    const on = { ...deps, replayProtection: true };
    const date = 'Sat, 07 Nov 2026 10:00:00 UTC';
    const seen: string[] = [];
    const spy: MimecastAuthDeps['store'] = {
      ...store,
      rememberRequestId: async (id, now, keepMs) => {
        seen.push(`${id}|${keepMs}`);
        return store.rememberRequestId(id, now, keepMs);
      },
    };
    await authenticateMimecast({ headers: signedHeaders(date, 'scoped-id'), path: PATH }, { ...on, store: spy });
    expect(seen).toEqual([`mimecast:${ACCESS_KEY}:scoped-id|${2 * SKEW * 1000}`]);
  });
});
