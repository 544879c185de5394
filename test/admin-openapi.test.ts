/**
 * The admin API's OpenAPI 3.1 document (src/api/admin/openapi.ts) over real HTTP: served without
 * credentials, it documents every admin route with a response schema, and the real answers of the
 * routes (successes and errors) and the bodies sent to them validate against what it documents.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { createOAuthClient } from '../src/auth/oauth-clients.js';
import { startDnsServer, type DnsServer } from './helpers/dns-server.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let gw: TestGateway;
let dns: DnsServer;
let admin: MimecastKeys;
let doc: Json;
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();
/** Every documented operation that a real answer was checked against, as "METHOD /path status". */
const checked = new Set<string>();

/** The documented schema of an operation's response (or, with status "body", its request body). */
function documented(method: string, template: string, status: string): ValidateFunction {
  const id = `${method} ${template} ${status}`;
  let validate = validators.get(id);
  if (!validate) {
    const operation = doc.paths[template]?.[method.toLowerCase()];
    expect(operation, `${method} ${template} is documented`).toBeDefined();
    const holder = status === 'body' ? operation.requestBody : (operation.responses[status] ?? operation.responses[`${status[0]}XX`]);
    expect(holder, `${id} is documented`).toBeDefined();
    const schema = holder.content?.['application/json']?.schema ?? { type: 'null' };
    validate = ajv.compile(schema);
    validators.set(id, validate);
  }
  return validate;
}

/** Calls a route as the admin, checking the body sent (valid, or on purpose not) and the answer against the document. */
async function call(method: string, template: string, values: Record<string, string> = {}, body?: unknown, bodyValid = true): Promise<{ status: number; body: Json }> {
  const uri = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] as string));
  const path = template.split('?')[0] as string;
  if (body !== undefined) {
    const validBody = documented(method, path, 'body');
    expect(validBody(body), `${method} ${template} request: ${ajv.errorsText(validBody.errors)}`).toBe(bodyValid);
  }
  const res = await fetch(gw.url + uri, {
    method,
    headers: { ...mcHeaders(admin, uri.split('?')[0] as string), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const answer = text === '' ? null : (JSON.parse(text) as Json);
  const validate = documented(method, path, String(res.status));
  expect(validate(answer), `${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 300)}`).toBe(true);
  checked.add(`${method} ${path} ${res.status}`);
  return { status: res.status, body: answer ?? {} };
}

beforeAll(async () => {
  // Answers NXDOMAIN for every name under test: the DKIM record check has a real server to ask.
  dns = await startDnsServer({ localZones: ['test'] });
  gw = await startTestGateway({ MAILGATE_DNS_SERVERS: dns.address });
  admin = await gw.user('admin@example.test', ['admin']);
  const res = await fetch(`${gw.url}/admin/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Json;
});

afterAll(async () => {
  await gw?.stop();
  await dns?.close();
});

describe('admin OpenAPI document', () => {
  it('is OpenAPI 3.1, open without credentials, and browsable', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('mailgate admin API');
    expect(doc.components.securitySchemes.mimecastSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    for (const path of ['/admin/api/tracking/search', '/admin/api/retention/holds', '/admin/api/policies', '/admin/api/users', '/admin/api/keys/{accessKey}/revoke', '/admin/api/dkim-keys']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    // The documentation routes document nothing of their own.
    expect(Object.keys(doc.paths).every((path) => path.startsWith('/admin/api/') && !path.startsWith('/admin/api/docs') && path !== '/admin/api/openapi.json')).toBe(true);
    const ui = await fetch(`${gw.url}/admin/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('gives every admin route a permission-checked response schema for success and for errors', () => {
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths as Json)) {
      for (const [method, operation] of Object.entries(operations as Json)) {
        const statuses = Object.keys(operation.responses ?? {});
        const success = statuses.filter((s) => s.startsWith('2'));
        const errors = statuses.some((s) => s.startsWith('4')) && statuses.includes('5XX');
        const ok = success.length > 0 && success.every((s) => operation.responses[s].content || s === '204') && errors;
        if (!ok) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('validates real answers and request bodies of every documented route', async () => {
    const sent = await mcPost(gw.url, admin, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'far@remote.test' }], subject: 'documented', plainBody: { content: 'body' } }] }));
    expect(sent.body.fail).toEqual([]);
    const found = await call('POST', '/admin/api/tracking/search', {}, { subject: 'documented' });
    expect(found.body.total).toBe(1);
    const id = found.body.items[0].id as string;
    expect((await call('GET', '/admin/api/tracking/messages/{id}', { id })).body.id).toBe(id);
    expect((await call('GET', '/admin/api/tracking/messages/{id}', { id: 'nope' })).status).toBe(404);
    expect((await call('GET', '/admin/api/tracking/messages/{id}/components/{index}', { id, index: '9' })).status).toBe(404);

    const hold = await call('POST', '/admin/api/retention/holds', {}, { messageId: id, description: 'case 1' });
    expect(hold.status).toBe(201);
    expect((await call('GET', '/admin/api/retention/holds')).body.holds).toHaveLength(1);
    expect((await call('POST', '/admin/api/retention/holds', {}, { messageId: id }, false)).body.error).toMatchObject({ code: 'field_required', field: 'description' });
    expect((await call('DELETE', '/admin/api/retention/holds/{id}', { id: hold.body.id })).status).toBe(204);
    expect((await call('POST', '/admin/api/retention/purge')).body.purged).toBe(0);

    const policy = await call('POST', '/admin/api/policies', {}, { name: 'exe', kind: 'attachment', params: { extensions: ['exe'] } });
    expect(policy.status).toBe(201);
    expect((await call('PUT', '/admin/api/policies/{id}', { id: policy.body.id }, { name: 'exe files', kind: 'attachment', enabled: false })).body.enabled).toBe(false);
    expect((await call('GET', '/admin/api/policies')).body.policies.length).toBeGreaterThan(0);
    expect((await call('PUT', '/admin/api/policies/{id}', { id: policy.body.id }, { name: 'no kind' }, false)).body.error).toMatchObject({ code: 'field_required', field: 'kind' });
    expect((await call('DELETE', '/admin/api/policies/{id}', { id: policy.body.id })).status).toBe(204);

    const entry = await call('POST', '/admin/api/sender-lists/{list}', { list: 'blocked' }, { pattern: '@spam.test', note: 'n' });
    expect(entry.status).toBe(201);
    expect((await call('GET', '/admin/api/sender-lists/{list}', { list: 'blocked' })).body.entries).toHaveLength(1);
    expect((await call('DELETE', '/admin/api/sender-lists/{list}/{entry}', { list: 'blocked', entry: entry.body.id })).status).toBe(204);
    expect((await call('PUT', '/admin/api/dnsbl-zones/{zone}', { zone: 'zen.example.test' }, { kind: 'ip', weight: 3 })).body.weight).toBe(3);
    expect((await call('PUT', '/admin/api/dnsbl-zones/{zone}', { zone: 'zen.example.test' }, { weight: 'heavy' }, false)).body.error).toMatchObject({ code: 'invalid_type', field: 'weight' });
    expect((await call('PUT', '/admin/api/dnsbl-zones/{zone}', { zone: 'dbl.example.test' })).body).toMatchObject({ zone: 'dbl.example.test', kind: 'ip' });
    expect((await call('GET', '/admin/api/dnsbl-zones')).body.zones).toHaveLength(2);
    expect((await call('DELETE', '/admin/api/dnsbl-zones/{zone}', { zone: 'zen.example.test' })).status).toBe(204);
    expect((await call('GET', '/admin/api/audit?action=dnsbl_put')).body.total).toBe(2);

    const leaver = await gw.user('leaver@example.test');
    const oauth = await createOAuthClient(gw.server.gateway.store, { name: 'graph app', permissions: ['Mail.Send'] });
    expect((await call('GET', '/admin/api/users')).body.users.map((u: Json) => u.email)).toContain('leaver@example.test');
    expect((await call('GET', '/admin/api/keys')).body.keys.map((k: Json) => k.accessKey)).toContain(leaver.accessKey);
    expect((await call('POST', '/admin/api/keys/{accessKey}/revoke', { accessKey: leaver.accessKey })).body.revokedAt).toEqual(expect.any(String));
    expect((await call('GET', '/admin/api/apps')).body.apps).toHaveLength(1);
    expect((await call('POST', '/admin/api/apps/{clientId}/revoke', { clientId: oauth.clientId })).body.revokedAt).toEqual(expect.any(String));
    const joiner = await call('POST', '/admin/api/users', {}, { email: 'joiner@example.test', roles: ['tracking'], password: 'long enough password' });
    expect(joiner).toMatchObject({ status: 201, body: { email: 'joiner@example.test', roles: ['tracking'] } });
    expect((await call('POST', '/admin/api/users', {}, { email: 'short@example.test', password: 'short' })).body.error).toMatchObject({ code: 'invalid_value', field: 'password' });
    expect((await call('GET', '/admin/api/users')).body.users.map((u: Json) => u.email)).not.toContain('short@example.test');
    const keys = await call('POST', '/admin/api/keys', {}, { user: 'joiner@example.test', expiresAt: '2099-01-01T00:00:00Z' });
    expect(keys).toMatchObject({ status: 201, body: { accessKey: expect.any(String), secretKey: expect.any(String) } });
    expect((await call('GET', '/admin/api/keys')).body.keys.find((k: Json) => k.accessKey === keys.body.accessKey)).toMatchObject({ user: 'joiner@example.test', expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(JSON.stringify((await call('GET', '/admin/api/keys')).body)).not.toContain(keys.body.secretKey);
    expect((await call('POST', '/admin/api/keys', {}, { user: 'nobody@example.test' })).status).toBe(404);
    const graphApp = await call('POST', '/admin/api/apps', {}, { name: 'mailer', permissions: ['Mail.Send'] });
    expect(graphApp.body).toMatchObject({ clientSecret: expect.any(String), app: { name: 'mailer', kind: 'oauth', permissions: ['Mail.Send'] } });
    const v2App = await call('POST', '/admin/api/apps', {}, { user: 'joiner@example.test' });
    expect(v2App.body.app).toMatchObject({ kind: 'mimecast-2.0', user: 'joiner@example.test' });
    expect((await call('POST', '/admin/api/apps', {}, { name: 'bad', permissions: ['Mail.Everything'] })).body.error).toMatchObject({ code: 'invalid_value', field: 'permission' });
    expect((await call('GET', '/admin/api/audit?action=user_create,key_create,app_create')).body.total).toBe(4);
    expect((await call('DELETE', '/admin/api/users/{email}', { email: 'leaver@example.test' })).body.email).toBe('leaver@example.test');
    expect((await call('DELETE', '/admin/api/users/{email}', { email: 'leaver@example.test' })).status).toBe(404);
    const dkim = await call('POST', '/admin/api/dkim-keys', {}, { domain: 'example.test', selector: 's1', algorithm: 'ed25519-sha256' });
    expect(dkim).toMatchObject({ status: 201, body: { dnsName: 's1._domainkey.example.test', signing: true } });
    expect((await call('GET', '/admin/api/dkim-keys')).body.keys).toHaveLength(1);
    // Nothing is published under example.test: the check says so rather than failing.
    const check = await call('GET', '/admin/api/dkim-keys/{domain}/{selector}/dns', { domain: 'example.test', selector: 's1' });
    expect(check.body).toMatchObject({ dnsName: 's1._domainkey.example.test', expected: dkim.body.dnsValue, served: [], matches: false, problem: 's1._domainkey.example.test does not exist' });
    expect((await call('GET', '/admin/api/dkim-keys/{domain}/{selector}/dns', { domain: 'example.test', selector: 'nope' })).status).toBe(404);
    expect((await call('POST', '/admin/api/dkim-keys', {}, { domain: 'example.test', algorithm: 'md5' }, false)).status).toBe(400);
    expect((await call('DELETE', '/admin/api/dkim-keys/{domain}/{selector}', { domain: 'example.test', selector: 's1' })).status).toBe(204);

    // Queue control and the suppression list (the delivered message is no longer waiting).
    expect((await call('GET', '/admin/api/queue?state=deferred&limit=10')).body).toEqual({ total: 0, entries: [] });
    expect((await call('GET', '/admin/api/queue/messages/{messageId}', { messageId: id })).body.recipients[0]).toMatchObject({ recipient: 'far@remote.test', state: 'delivered' });
    expect((await call('POST', '/admin/api/queue/messages/{messageId}/retry', { messageId: id })).body.error.code).toBe('conflict');
    expect((await call('POST', '/admin/api/queue/messages/{messageId}/bounce', { messageId: id })).status).toBe(409);
    expect((await call('DELETE', '/admin/api/queue/messages/{messageId}', { messageId: 'nope' })).status).toBe(404);
    expect((await call('POST', '/admin/api/queue/domains/{domain}/flush', { domain: 'remote.test' })).body).toEqual({ action: 'flush', entries: [] });
    expect((await call('POST', '/admin/api/suppressions', {}, { address: 'gone@remote.test', reason: 'asked us to stop' })).status).toBe(201);
    expect((await call('POST', '/admin/api/suppressions', {}, { reason: 'no address' }, false)).body.error).toMatchObject({ code: 'field_required', field: 'address' });
    expect((await call('GET', '/admin/api/suppressions')).body.entries).toHaveLength(1);
    expect((await call('DELETE', '/admin/api/suppressions/{address}', { address: 'gone@remote.test' })).status).toBe(204);
    // The console's routes (a signed caller holds no session: no CSRF token, sign-in is HTTPS only).
    expect((await call('POST', '/admin/api/session', {}, { email: 'admin@example.test', password: 'whatever it is' })).status).toBe(403);
    expect((await call('GET', '/admin/api/session')).body).toMatchObject({ signedIn: true, csrfToken: '' });
    expect((await call('DELETE', '/admin/api/session')).status).toBe(204);
    expect((await call('GET', '/admin/api/overview')).body.lastHour.points).toHaveLength(60);
    expect((await call('GET', '/admin/api/held')).body.total).toBe(0);
    expect((await call('POST', '/admin/api/held/release', {}, { ids: ['nope'] })).body.results).toEqual([{ id: 'nope', result: 'not_found' }]);
    expect((await call('POST', '/admin/api/held/reject', {}, { ids: ['nope'], notify: true, reasonType: 'INAPPROPRIATE COMMUNICATION' })).body.results).toHaveLength(1);
    expect((await call('POST', '/admin/api/held/reject', {}, { ids: [], reasonType: 'rude' }, false)).status).toBe(400);
    expect((await call('POST', '/admin/api/held/{id}/sender-list', { id: 'nope' }, { list: 'blocked' })).status).toBe(404);
    expect((await call('GET', '/admin/api/held/log')).body.entries).toEqual([]);

    // Webhook endpoints.
    const hook = await call('POST', '/admin/api/webhooks', {}, { url: 'https://hooks.example.test/in', events: ['message.delivered'] });
    expect(hook.status).toBe(201);
    expect((await call('GET', '/admin/api/webhooks')).body.webhooks).toHaveLength(1);
    expect((await call('GET', '/admin/api/webhooks/{id}', { id: hook.body.id })).body.url).toBe('https://hooks.example.test/in');
    expect((await call('POST', '/admin/api/webhooks/{id}/enable', { id: hook.body.id })).body.enabled).toBe(true);
    expect((await call('GET', '/admin/api/webhooks/{id}/log', { id: hook.body.id })).body.attempts).toEqual([]);
    expect((await call('POST', '/admin/api/webhooks', {}, { url: 'ftp://hooks.example.test/' })).body.error).toMatchObject({ code: 'invalid_value', field: 'url' });
    expect((await call('POST', '/admin/api/webhooks', {}, { events: [] }, false)).body.error).toMatchObject({ code: 'field_required', field: 'url' });
    expect((await call('DELETE', '/admin/api/webhooks/{id}', { id: hook.body.id })).status).toBe(204);

    // Every documented operation was exercised with a real answer.
    const operations = Object.entries(doc.paths as Json).flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`));
    const exercised = new Set([...checked].map((c) => c.split(' ').slice(0, 2).join(' ')));
    expect(operations.filter((op) => !exercised.has(op) && !op.endsWith('/components/{index}') && !op.endsWith('/raw'))).toEqual([]);
  });
});
