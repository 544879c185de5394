/**
 * Request bodies nested deeper than MAX_JSON_DEPTH (docs/request-limits.md) are a 400 in each
 * dialect's own format, never a 500, with nothing queued; and steps after acceptance (the Sent
 * Items copy) never turn an accepted send into an error.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { CLI_CLIENT_ID, issueWorksUserTokens } from '../src/api/works/auth.js';
import { MAX_JSON_DEPTH } from '../src/core/json-depth.js';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';
import { mcHeaders } from './helpers/mimecast-client.js';

let f: GraphFixture;
let mc: MimecastKeys;
let admin: MimecastKeys;
let graphToken: string;
let worksToken: string;
const ALICE = 'alice@example.test';

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const HOSTILE = '['.repeat(100_000) + ']'.repeat(100_000);
const JUST_OVER = nested(MAX_JSON_DEPTH + 1);

async function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  f = await startGraphFixture();
  await f.user(ALICE);
  mc = await f.gw.user('mimi@example.test');
  admin = await f.gw.user('boss@example.test', ['admin', 'tracking']);
  graphToken = await f.userToken(await f.app([]), ALICE, 'Mail.Send Mail.ReadWrite');
  const { store, tokens, config } = f.gw.server.gateway;
  const user = await store.getUserByEmail(ALICE);
  if (!user) throw new Error('no user');
  worksToken = (
    await issueWorksUserTokens({ tokens, store, hostname: config.hostname, now: Date.now() }, { user, clientId: CLI_CLIENT_ID, scopes: ['mail'], withRefreshToken: false })
  ).access_token;
});
afterAll(async () => {
  await f?.stop();
});

describe.each([
  ['100,000 deep', HOSTILE],
  [`${MAX_JSON_DEPTH + 1} deep`, JUST_OVER],
])('a body nested %s', (_name, body) => {
  it('Mimecast: 400 envelope err_xdk_malformed_request', async () => {
    const res = await post(`${f.gw.url}/api/email/send-email`, mcHeaders(mc, '/api/email/send-email'), body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ meta: { status: 400 }, data: [], fail: [{ errors: [{ code: 'err_xdk_malformed_request' }] }] });
  });

  it('Mimecast Python-literal body: 400 too', async () => {
    const python = "{'data': " + body.replaceAll('"', "'") + '}';
    const res = await post(`${f.gw.url}/api/email/send-email`, mcHeaders(mc, '/api/email/send-email'), python);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ fail: [{ errors: [{ code: 'err_xdk_malformed_request' }] }] });
  });

  it('Graph: 400 RequestBodyRead', async () => {
    const res = await post(`${f.gw.url}/v1.0/me/sendMail`, { Authorization: `Bearer ${graphToken}` }, body);
    expect(res.status).toBe(400);
    expect((res.json.error as { code: string; message: string }).code).toBe('RequestBodyRead');
  });

  it('LINE WORKS: 400 BAD_REQUEST', async () => {
    const res = await post(`${f.gw.url}/works/v1.0/users/me/mail`, { Authorization: `Bearer ${worksToken}` }, body);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('BAD_REQUEST');
  });

  it('admin API: 400 {"error":{"code":"malformed_request"}}', async () => {
    const res = await post(`${f.gw.url}/admin/api/tracking/search`, mcHeaders(admin, '/admin/api/tracking/search'), body);
    expect(res.status).toBe(400);
    expect((res.json.error as { code: string }).code).toBe('malformed_request');
  });

  it('queued nothing', async () => {
    expect(await f.gw.countRows('messages')).toBe(0);
  });
});

it(`a body exactly ${MAX_JSON_DEPTH} deep is read (and refused for what it says, not for its depth)`, async () => {
  const res = await post(`${f.gw.url}/works/v1.0/users/me/mail`, { Authorization: `Bearer ${worksToken}` }, nested(MAX_JSON_DEPTH));
  expect(res.status).toBe(400);
  expect(res.json.code).not.toBe('BAD_REQUEST');
});

describe('after acceptance', () => {
  it('a Graph flag with unknown or nested properties is a 400 before anything is sent', async () => {
    const flag = { flagStatus: 'flagged', dueDateTime: { dateTime: '2030-01-01T00:00:00', timeZone: 'UTC', extra: { deeper: { still: 1 } } } };
    const message = { subject: 'bad flag', toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }], flag };
    const res = await post(`${f.gw.url}/v1.0/me/sendMail`, { Authorization: `Bearer ${graphToken}` }, JSON.stringify({ message }));
    expect(res.status).toBe(400);
    expect((res.json.error as { code: string }).code).toBe('ErrorInvalidRequest');
    expect(await f.gw.countRows('messages')).toBe(0);
  });

  it('a Sent Items copy the database refuses still answers 202, and the message is delivered once', async () => {
    // A real database condition, not a mock: the store's own insert of the copy fails.
    const db = new Database(path.join(f.gw.dataDir, 'mailgate.sqlite'));
    db.exec("CREATE TRIGGER refuse_sent BEFORE INSERT ON mailbox_entries WHEN NEW.folder = 'sent' BEGIN SELECT RAISE(ABORT, 'sent copies refused'); END");
    db.close();
    const message = { subject: 'accepted anyway', toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }] };
    const res = await post(`${f.gw.url}/v1.0/me/sendMail`, { Authorization: `Bearer ${graphToken}` }, JSON.stringify({ message }));
    expect(res.status).toBe(202);
    expect(await f.gw.countRows('messages')).toBe(1);
    expect(await f.gw.countRows('mailbox_entries')).toBe(0);
    const delivered = await f.sink.waitForMessages(1);
    expect(delivered.filter((m) => m.raw.toString('utf8').includes('Subject: accepted anyway'))).toHaveLength(1);
  });
});
