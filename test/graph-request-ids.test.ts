/**
 * Graph correlation ids over real HTTP (contracts.md §2, docs/vendor-apis.md): every answer carries
 * `request-id` and `client-request-id` headers, and every error body repeats the same two ids in
 * `innerError`, whether or not the client sent `client-request-id`: 401, 403, 404, 429, 400 for an
 * unknown path, an unreadable body and a body over the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LIMIT = 30;
const ALICE = 'alice@example.test';
const BUSY = 'busy@example.test';
const to = [{ emailAddress: { address: 'reader@remote.test' } }];

let f: GraphFixture;
let sendToken: string;
let readOnlyToken: string;
let busyToken: string;

beforeAll(async () => {
  f = await startGraphFixture({ MAILGATE_GRAPH_REQUEST_LIMIT: String(LIMIT), MAILGATE_GRAPH_REQUEST_WINDOW_SECONDS: '3600' });
  await f.user(ALICE);
  await f.user(BUSY);
  const app = await f.app([]);
  sendToken = await f.userToken(app, ALICE, 'Mail.Send Mail.ReadWrite');
  readOnlyToken = await f.userToken(app, ALICE, 'Mail.Read');
  busyToken = await f.userToken(app, BUSY, 'Mail.Read');
});

afterAll(async () => {
  await f?.stop();
});

interface Request {
  method: string;
  path: string;
  token?: string;
  contentType?: string;
  body?: string;
}

interface Failure {
  status: number;
  code: string;
  headers: { requestId: string | null; clientRequestId: string | null };
  inner: Record<string, string>;
}

async function send(request: Request, clientRequestId?: string): Promise<Failure> {
  const res = await fetch(`${f.gw.url}${request.path}`, {
    method: request.method,
    headers: {
      ...(request.token ? { Authorization: `Bearer ${request.token}` } : {}),
      ...(request.contentType ? { 'Content-Type': request.contentType } : {}),
      ...(clientRequestId ? { 'client-request-id': clientRequestId } : {}),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const body = (await res.json()) as { error: { code: string; innerError: Record<string, string> } };
  return {
    status: res.status,
    code: body.error.code,
    headers: { requestId: res.headers.get('request-id'), clientRequestId: res.headers.get('client-request-id') },
    inner: body.error.innerError,
  };
}

/** The body's ids are the headers' ids; the client's id is echoed, or a UUID is made up. */
function expectSameIds(failure: Failure, clientRequestId: string | undefined): void {
  expect(failure.headers.requestId).toMatch(UUID);
  expect(failure.inner['request-id']).toBe(failure.headers.requestId);
  expect(failure.inner['client-request-id']).toBe(failure.headers.clientRequestId);
  if (clientRequestId) expect(failure.headers.clientRequestId).toBe(clientRequestId);
  else expect(failure.headers.clientRequestId).toMatch(UUID);
}

const CASES: Array<{ name: string; status: number; code: string; request: () => Request }> = [
  { name: 'no token', status: 401, code: 'InvalidAuthenticationToken', request: () => ({ method: 'GET', path: '/v1.0/me/messages' }) },
  {
    name: 'a token without Mail.Send',
    status: 403,
    code: 'ErrorAccessDenied',
    request: () => ({ method: 'POST', path: '/v1.0/me/sendMail', token: readOnlyToken, contentType: 'application/json', body: JSON.stringify({ message: { toRecipients: to } }) }),
  },
  { name: 'an unknown message', status: 404, code: 'ErrorItemNotFound', request: () => ({ method: 'GET', path: '/beta/me/messages/no-such-id', token: sendToken }) },
  { name: 'an unknown path', status: 400, code: 'BadRequest', request: () => ({ method: 'GET', path: '/v1.0/me/calendars', token: sendToken }) },
  {
    name: 'a body that is not JSON',
    status: 400,
    code: 'RequestBodyRead',
    request: () => ({ method: 'POST', path: '/v1.0/me/sendMail', token: sendToken, contentType: 'application/json', body: '{"message":' }),
  },
  {
    name: 'a body over the request limit',
    status: 400,
    code: 'ErrorMessageSizeExceeded',
    request: () => ({ method: 'POST', path: '/beta/me/sendMail', token: sendToken, contentType: 'application/json', body: 'x'.repeat(6 * 1024 * 1024) }),
  },
];

describe('Graph error bodies carry the response headers\' ids', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.status} ${c.code}, with and without client-request-id`, async () => {
      const given = `given-${c.status}-${c.code}`;
      const withId = await send(c.request(), given);
      const withoutId = await send(c.request());
      for (const [failure, id] of [[withId, given], [withoutId, undefined]] as const) {
        expect({ status: failure.status, code: failure.code }).toEqual({ status: c.status, code: c.code });
        expectSameIds(failure, id);
      }
      expect(withId.headers.requestId).not.toBe(withoutId.headers.requestId);
      expect(await f.gw.countRows('messages')).toBe(0);
    });
  }

  it('429 ApplicationThrottled, with and without client-request-id', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await fetch(`${f.gw.url}/v1.0/me/messages`, { headers: { Authorization: `Bearer ${busyToken}` } });
      expect(res.status).toBe(200);
    }
    const request = { method: 'GET', path: '/v1.0/me/messages', token: busyToken };
    const withId = await send(request, 'throttled-1');
    const withoutId = await send(request);
    for (const [failure, id] of [[withId, 'throttled-1'], [withoutId, undefined]] as const) {
      expect({ status: failure.status, code: failure.code }).toEqual({ status: 429, code: 'ApplicationThrottled' });
      expectSameIds(failure, id);
    }
  });

  it('a success carries both headers too: the client\'s id echoed, or a generated one', async () => {
    const ok = (id?: string) =>
      fetch(`${f.gw.url}/v1.0/me/messages`, { headers: { Authorization: `Bearer ${sendToken}`, ...(id ? { 'client-request-id': id } : {}) } });
    const echoed = await ok('mine-1');
    expect(echoed.status).toBe(200);
    expect(echoed.headers.get('client-request-id')).toBe('mine-1');
    expect(echoed.headers.get('request-id')).toMatch(UUID);
    const generated = await ok();
    expect(generated.headers.get('client-request-id')).toMatch(UUID);
    expect(generated.headers.get('request-id')).toMatch(UUID);
  });
});
