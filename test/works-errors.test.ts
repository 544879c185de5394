/**
 * LINE WORKS bad input and refused callers: `{"code","description"}` with the vendor's codes
 * (contracts.md §3), the 403 for service-account tokens, the per-operation rate limit.
 */
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthClient } from '../src/auth/oauth-clients.js';
import { createServiceAccount } from '../src/auth/service-accounts.js';
import { createTokenService } from '../src/auth/tokens.js';
import { CLI_CLIENT_ID, issueWorksUserTokens } from '../src/api/works/auth.js';
import { startWorksFixture, worksRequest, type WorksFixture } from './helpers/works.js';

let f: WorksFixture;
let alice: string;

beforeAll(async () => {
  f = await startWorksFixture({ MAILGATE_WORKS_ATTACHMENT_MAX_BYTES: '1024' });
  await f.user('alice@example.test');
  await f.user('bob@example.test');
  alice = await f.token('alice@example.test');
});
afterAll(async () => {
  await f.stop();
});

const send = (body: unknown, token = alice, userId = 'me') => f.call(token, 'POST', `/users/${userId}/mail`, body);

function expectError(res: { status: number; json: Record<string, unknown> }, status: number, code: string, mentions?: string): void {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(Object.keys(res.json).sort()).toEqual(['code', 'description']);
  expect(res.json.code).toBe(code);
  if (mentions) expect(res.json.description).toContain(mentions);
}

describe('LINE WORKS send: bad input', () => {
  it('refuses malformed addresses in to, cc and bcc, naming the field', async () => {
    expectError(await send({ to: 'not-an-address', subject: 's' }), 400, 'INVALID_PARAMETER', 'to');
    expectError(await send({ to: 'a@example.com; b@@example.com', subject: 's' }), 400, 'INVALID_PARAMETER', "'b@@example.com'");
    expectError(await send({ to: 'a@example.com', cc: 'x y@example.com', subject: 's' }), 400, 'INVALID_PARAMETER', 'cc');
    expectError(await send({ to: 'a@example.com', bcc: 'nobody', subject: 's' }), 400, 'INVALID_PARAMETER', 'bcc');
  });

  it('refuses a missing or empty to, and a missing or empty subject', async () => {
    expectError(await send({ subject: 's' }), 400, 'MISSING_PARAMETER', 'to');
    expectError(await send({ to: ' ; ;', subject: 's' }), 400, 'MISSING_PARAMETER', 'to');
    expectError(await send({ to: 'a@example.com' }), 400, 'MISSING_PARAMETER', 'subject');
    expectError(await send({ to: 'a@example.com', subject: '' }), 400, 'MISSING_PARAMETER', 'subject');
  });

  it('refuses bad base64, an attachment over the per-file limit, a long file name and an inline image without cid', async () => {
    const attachment = (over: Record<string, unknown>) => ({ to: 'a@example.com', subject: 's', attachments: [{ filename: 'f.bin', data: 'AAAA', ...over }] });
    expectError(await send(attachment({ data: 'not*base64!' })), 400, 'INVALID_PARAMETER', 'attachments[0].data');
    expectError(await send(attachment({ data: Buffer.alloc(1025, 7).toString('base64') })), 400, 'LIMIT_EXCEEDED', 'attachments[0].data');
    expect((await send(attachment({ data: Buffer.alloc(1024, 7).toString('base64') }))).status).toBe(202);
    expectError(await send(attachment({ filename: `${'名'.repeat(247)}.txt` })), 400, 'INVALID_PARAMETER', 'filename');
    expectError(await send(attachment({ inline: true })), 400, 'MISSING_PARAMETER', 'cid');
    expectError(await send(attachment({ fileType: 'not a type' })), 400, 'INVALID_PARAMETER');
  });

  it('refuses bad values of contentType, securityLevel and the booleans, and a body that is not JSON', async () => {
    expectError(await send({ to: 'a@example.com', subject: 's', contentType: 'markdown' }), 400, 'INVALID_PARAMETER', 'contentType');
    expectError(await send({ to: 'a@example.com', subject: 's', securityLevel: 'Top secret' }), 400, 'INVALID_PARAMETER', 'securityLevel');
    expectError(await send({ to: 'a@example.com', subject: 's', isSendSeparately: 'maybe' }), 400, 'INVALID_PARAMETER', 'isSendSeparately');
    expectError(await send('{"to": '), 400, 'BAD_REQUEST');
    expectError(await send({ to: 'a@example.com', subject: 'line\r\nBcc: victim@example.com' }), 400, 'INVALID_PARAMETER', 'subject');
  });
});

describe('LINE WORKS callers', () => {
  it('answers NOT_FOUND for an unknown userId and ACCESS_DENIED for another member’s', async () => {
    expectError(await send({ to: 'a@example.com', subject: 's' }, alice, encodeURIComponent('ghost@example.test')), 404, 'NOT_FOUND');
    expectError(await send({ to: 'a@example.com', subject: 's' }, alice, 'no-such-id'), 404, 'NOT_FOUND');
    expectError(await send({ to: 'a@example.com', subject: 's' }, alice, encodeURIComponent('bob@example.test')), 403, 'ACCESS_DENIED');
    const bob = await f.gw.server.gateway.store.getUserByEmail('bob@example.test');
    expectError(await f.call(alice, 'GET', `/users/${bob?.id}/mail/mailfolders`), 403, 'ACCESS_DENIED');
  });

  it('answers UNAUTHORIZED without a token, for a malformed, foreign or expired one', async () => {
    expectError(await f.call(undefined, 'GET', '/users/me/mail/unread-count'), 401, 'UNAUTHORIZED');
    expectError(await f.call('not.a.jwt', 'GET', '/users/me/mail/unread-count'), 401, 'UNAUTHORIZED');
    const { gateway } = f.gw.server;
    const user = (await gateway.store.getUserByEmail('alice@example.test'))!;
    // Issued two days ago with the gateway's own keys: a 24-hour token that has run out.
    const past = createTokenService({ store: gateway.store, secrets: gateway.secrets, clock: { now: () => Date.now() - 2 * 86_400_000 } });
    const expired = await issueWorksUserTokens(
      { tokens: past, store: gateway.store, hostname: gateway.config.hostname, now: Date.now() },
      { user, clientId: CLI_CLIENT_ID, scopes: ['mail'], withRefreshToken: false },
    );
    const res = await f.call(expired.access_token, 'GET', '/users/me/mail/unread-count');
    expectError(res, 401, 'UNAUTHORIZED', 'expired');
    // A Graph token (another audience) is no Works token.
    const graph = await gateway.tokens.issue({
      issuer: `https://${gateway.config.hostname}/works`,
      audience: 'https://graph.microsoft.com',
      tenant: 't',
      subject: user.id,
      clientId: 'c',
      userId: user.id,
      scopes: ['mail'],
      roles: [],
      lifetimeSeconds: 600,
    });
    expectError(await f.call(graph.token, 'GET', '/users/me/mail/unread-count'), 401, 'UNAUTHORIZED');
  });

  it('refuses sending with a mail.read token and for a member without the send role', async () => {
    const readOnly = await f.token('alice@example.test', 'mail.read');
    expect((await f.call(readOnly, 'GET', '/users/me/mail/unread-count')).status).toBe(200);
    expectError(await send({ to: 'a@example.com', subject: 's' }, readOnly), 403, 'FORBIDDEN', 'mail');
    await f.user('reader@example.test', { roles: ['tracking'] });
    await f.gw.server.gateway.store.createUser({ id: 'no-send', email: 'nosend@example.test', name: null, roles: [], createdAt: 1 });
    expectError(await send({ to: 'a@example.com', subject: 's' }, await f.token('nosend@example.test')), 403, 'FORBIDDEN');
  });

  it('refuses a service-account token (JWT bearer grant) with 403 on the mail endpoints', async () => {
    const { store, config } = f.gw.server.gateway;
    const app = await createOAuthClient(store, { name: 'bot', permissions: [] });
    const { account, privateKey } = await createServiceAccount(store, app.clientId, config.hostname, Date.now());
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(app.clientId)
      .setSubject(account.accountId)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(await importPKCS8(privateKey, 'RS256'));
    const form = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, client_id: app.clientId, client_secret: app.clientSecret, scope: 'bot,mail' };
    const res = await fetch(`${f.base}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
    const token = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: '86400', scope: 'mail' });
    expectError(await send({ to: 'a@example.com', subject: 's' }, token.access_token as string), 403, 'FORBIDDEN', 'service-account');
    expectError(await f.call(token.access_token as string, 'GET', '/users/me/mail/mailfolders'), 403, 'FORBIDDEN');
    // An assertion signed by another key is no grant.
    const other = await createServiceAccount({ putServiceAccount: async () => undefined }, app.clientId, config.hostname, Date.now());
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(app.clientId)
      .setSubject(account.accountId)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(await importPKCS8(other.privateKey, 'RS256'));
    const refused = await fetch(`${f.base}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ ...form, assertion: forged }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('unknown paths answer NOT_FOUND in the vendor’s shape', async () => {
    expectError(await f.call(alice, 'GET', '/users/me/calendar'), 404, 'NOT_FOUND');
    expectError(await f.call(alice, 'GET', '/users/me/mail/abc'), 404, 'NOT_FOUND');
  });
});

describe('LINE WORKS rate limit', () => {
  it('allows the configured requests per minute per operation, then 429 TOO_MANY_REQUESTS with rateLimit-* headers', async () => {
    const limited = await startWorksFixture({ MAILGATE_WORKS_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      await limited.user('carol@example.test');
      const token = await limited.token('carol@example.test');
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const ok = await limited.call(token, 'GET', '/users/me/mail/unread-count');
        expect(ok.status).toBe(200);
        expect(ok.headers.get('ratelimit-limit')).toBe('3');
        remaining.push(ok.headers.get('ratelimit-remaining') ?? '');
      }
      expect(remaining).toEqual(['2', '1', '0']);
      // The vendor paths on the Works port share the budget.
      const over = await worksRequest(`${limited.vendorBase}/v1.0/users/me/mail/unread-count`, token, 'GET', undefined, limited.vendorFetch);
      expect(over.status).toBe(429);
      expect(over.json).toEqual({ code: 'TOO_MANY_REQUESTS', description: 'API rate limit exceeded' });
      expect(over.headers.get('ratelimit-remaining')).toBe('0');
      const reset = Number(over.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
      // Another operation has its own budget.
      expect((await limited.call(token, 'GET', '/users/me/mail/mailfolders')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
