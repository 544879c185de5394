/**
 * mailgate as the Graph dialect's identity provider: `POST /{tenant}/oauth2/v2.0/token` for each
 * grant, the failures Entra answers, and what each token may do at the Graph routes. The CLI
 * creates the app and the password, as the README tells users to.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_AUDIENCE, graphIssuer } from '../src/api/graph/auth.js';
import { PASSWORD, startGraphFixture, type GraphApp, type GraphFixture } from './helpers/graph.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

let f: GraphFixture;
let sender: GraphApp;
const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const message = { subject: 'token test', toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }] };

async function sendMail(token: string, mailbox = 'me', body: unknown = { message }): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const res = await fetch(`${f.gw.url}/v1.0/${mailbox === 'me' ? 'me' : `users/${encodeURIComponent(mailbox)}`}/sendMail`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

beforeAll(async () => {
  f = await startGraphFixture();
  await f.user(ALICE, { name: 'Alice' });
  await f.user(BOB);
  sender = await f.app(['Mail.Send']);
});

afterAll(async () => {
  await f?.stop();
});

describe('CLI', () => {
  it('app create prints tenantId, clientId and clientSecret; user add --password makes the password grant work', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--data-dir', f.gw.dataDir, '--hostname', 'gateway.test'], { cwd: root });
    const created = JSON.parse((await cli('app', 'create', '--name', 'Billing', '--permission', 'Mail.Send')).stdout) as GraphApp;
    expect(created.tenantId).toBe(f.tenantId);
    expect(created.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.clientSecret.length).toBeGreaterThanOrEqual(40);
    await cli('user', 'add', 'carol@example.test', '--password', 'carol secret 1');
    const { status, body } = await f.tokenRequest({
      grant_type: 'password',
      client_id: created.clientId,
      client_secret: created.clientSecret,
      username: 'carol@example.test',
      password: 'carol secret 1',
      scope: 'Mail.Send',
    });
    expect(status).toBe(200);
    expect((await sendMail(body.access_token as string)).status).toBe(202);
    await expect(cli('app', 'create', '--name', 'x', '--permission', 'Mail.Everything')).rejects.toThrow(/Unknown permission/);
  });
});

describe('token endpoint', () => {
  it('client_credentials: a signed JWT with the app roles, accepted on /users/{upn}', async () => {
    const { status, body } = await f.tokenRequest({
      grant_type: 'client_credentials',
      client_id: sender.clientId,
      client_secret: sender.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600 });
    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ aud: GRAPH_AUDIENCE, iss: graphIssuer('gateway.test', f.tenantId), tid: f.tenantId, roles: ['Mail.Send'], sub: sender.clientId });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect((await sendMail(token, ALICE)).status).toBe(202);
    expect((await sendMail(token, 'bob@example.test')).status).toBe(202);
  });

  it('client_credentials accepts HTTP Basic client authentication (RFC 6749 2.3.1)', async () => {
    const res = await fetch(`${f.gw.url}/${f.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${sender.clientId}:${sender.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default',
    });
    expect(res.status).toBe(200);
  });

  it('password: delegated scopes, a refresh token, and /me', async () => {
    const { status, body } = await f.tokenRequest({
      grant_type: 'password',
      client_id: sender.clientId,
      username: ALICE,
      password: PASSWORD,
      scope: 'https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/Mail.ReadWrite offline_access',
    });
    expect(status).toBe(200);
    expect(body.scope).toBe('Mail.Send Mail.ReadWrite');
    expect(typeof body.refresh_token).toBe('string');
    expect(decodeJwt(body.access_token as string)).toMatchObject({ scope: 'Mail.Send Mail.ReadWrite' });
    expect((await sendMail(body.access_token as string)).status).toBe(202);

    const refreshed = await f.tokenRequest({ grant_type: 'refresh_token', client_id: sender.clientId, refresh_token: body.refresh_token as string });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(body.refresh_token);
    expect((await sendMail(refreshed.body.access_token as string)).status).toBe(202);
    // Refresh tokens rotate: the old one is spent.
    const again = await f.tokenRequest({ grant_type: 'refresh_token', client_id: sender.clientId, refresh_token: body.refresh_token as string });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_grant', error_codes: [9002313] });
  });

  it('answers Entra-style errors: wrong secret, unknown app, wrong password, bad grant, scope, tenant, missing field', async () => {
    const cases: Array<[Record<string, string>, number, string, number, string?]> = [
      [{ grant_type: 'client_credentials', client_id: sender.clientId, client_secret: 'wrong', scope: '.default' }, 401, 'invalid_client', 7000215],
      [{ grant_type: 'client_credentials', client_id: '00000000-0000-0000-0000-000000000000', client_secret: 'x', scope: '.default' }, 400, 'unauthorized_client', 700016],
      [{ grant_type: 'password', client_id: sender.clientId, username: ALICE, password: 'wrong password', scope: 'Mail.Send' }, 400, 'invalid_grant', 50126],
      [{ grant_type: 'password', client_id: sender.clientId, username: 'nobody@example.test', password: PASSWORD, scope: 'Mail.Send' }, 400, 'invalid_grant', 50126],
      [{ grant_type: 'authorization_code', client_id: sender.clientId, code: 'x' }, 400, 'unsupported_grant_type', 70003],
      [{ grant_type: 'password', client_id: sender.clientId, username: ALICE, password: PASSWORD, scope: 'Calendars.Read' }, 400, 'invalid_scope', 70011],
      [{ grant_type: 'client_credentials', client_id: sender.clientId, client_secret: sender.clientSecret, scope: 'Mail.Send' }, 400, 'invalid_scope', 1002012],
      [{ grant_type: 'client_credentials', client_id: sender.clientId, client_secret: sender.clientSecret }, 400, 'invalid_request', 900144],
      [{ grant_type: 'client_credentials', client_id: sender.clientId, client_secret: sender.clientSecret, scope: '.default' }, 400, 'invalid_request', 90002, 'other-tenant'],
    ];
    for (const [form, status, error, code, tenant] of cases) {
      const res = await f.tokenRequest(form, tenant);
      expect({ form, status: res.status, error: res.body.error, codes: res.body.error_codes }).toEqual({ form, status, error, codes: [code] });
      expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
      expect(typeof res.body.trace_id).toBe('string');
    }
  });
});

describe('what a token may do', () => {
  async function graphError(res: { status: number; body: { error?: { code: string } } }): Promise<[number, string | undefined]> {
    return [res.status, res.body.error?.code];
  }

  it('refuses a missing, malformed or foreign token with 401 InvalidAuthenticationToken', async () => {
    const noToken = await fetch(`${f.gw.url}/v1.0/me/sendMail`, { method: 'POST', body: '{}' });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await noToken.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(await graphError(await sendMail('not.a.jwt'))).toEqual([401, 'InvalidAuthenticationToken']);
    // Signed by this gateway but for another audience (another dialect's token).
    const { token } = await f.gw.server.gateway.tokens.issue({
      issuer: graphIssuer('gateway.test', f.tenantId),
      audience: 'https://works.example',
      subject: sender.clientId,
      tenant: f.tenantId,
      clientId: sender.clientId,
      scopes: [],
      roles: ['Mail.Send'],
      lifetimeSeconds: 600,
    });
    expect(await graphError(await sendMail(token, ALICE))).toEqual([401, 'InvalidAuthenticationToken']);
  });

  it('refuses an expired token with 401', async () => {
    const { token } = await f.gw.server.gateway.tokens.issue({
      issuer: graphIssuer('gateway.test', f.tenantId),
      audience: GRAPH_AUDIENCE,
      subject: sender.clientId,
      tenant: f.tenantId,
      clientId: sender.clientId,
      scopes: [],
      roles: ['Mail.Send'],
      lifetimeSeconds: -60,
    });
    const res = await sendMail(token, ALICE);
    expect([res.status, res.body.error?.code]).toEqual([401, 'InvalidAuthenticationToken']);
    expect(res.body.error?.message).toMatch(/expired/);
  });

  it('refuses a token without the permission the route needs with 403 ErrorAccessDenied', async () => {
    const reader = await f.app(['Mail.ReadWrite']);
    const appToken = await f.appToken(reader);
    expect(await graphError(await sendMail(appToken, ALICE))).toEqual([403, 'ErrorAccessDenied']);
    const delegated = await f.userToken(sender, ALICE, 'Mail.ReadWrite');
    expect(await graphError(await sendMail(delegated))).toEqual([403, 'ErrorAccessDenied']);
    const sendOnly = await f.userToken(sender, ALICE, 'Mail.Send');
    const draft = await fetch(`${f.gw.url}/v1.0/me/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sendOnly}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(message),
    });
    expect(draft.status).toBe(403);
  });

  it("refuses a user's token on another user's /users/{id} path, and an app token on /me", async () => {
    const alice = await f.userToken(sender, ALICE);
    expect(await graphError(await sendMail(alice, BOB))).toEqual([403, 'ErrorAccessDenied']);
    const aliceId = (await f.gw.server.gateway.store.getUserByEmail(ALICE))?.id as string;
    // Their own mailbox by id or by principal name is fine.
    expect((await sendMail(alice, aliceId)).status).toBe(202);
    expect((await sendMail(alice, ALICE)).status).toBe(202);
    const appToken = await f.appToken(sender);
    expect(await graphError(await sendMail(appToken))).toEqual([400, 'BadRequest']);
    expect(await graphError(await sendMail(appToken, 'nobody@example.test'))).toEqual([404, 'ErrorItemNotFound']);
  });
});
