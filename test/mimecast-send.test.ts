/**
 * Mimecast send-email and file-upload end to end: real HTTP, the seed's Python sample run verbatim,
 * delivery over real SMTP to a sink, DKIM verified by mailauth against the key the CLI published.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost, pythonSampleDate } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

let sink: SmtpSink;
let gw: TestGateway;
let keys: MimecastKeys;

async function upload(content: Buffer, k: MimecastKeys = keys): Promise<string> {
  const arg = `{'data':[{'sha256':'${createHash('sha256').update(content).digest('hex')}','fileSize':${content.length}}]}`;
  const res = await mcPost(gw.url, k, '/api/file/file-upload', content, {
    'Content-Type': 'application/octet-stream',
    'x-mc-arg': arg,
  });
  expect(res.status).toBe(200);
  return res.body.data[0]?.id as string;
}

function countMessages(): Promise<number> {
  return gw.countRows('messages');
}

function sendEmail(item: Record<string, unknown>, k: MimecastKeys = keys) {
  return mcPost(gw.url, k, '/api/email/send-email', JSON.stringify({ data: [item] }));
}

const minimal = {
  to: [{ emailAddress: 'reader@remote.test', displayableName: 'Reader' }],
  subject: 'hello',
  plainBody: { content: 'hi' },
};

beforeAll(async () => {
  sink = await startSmtpSink();
  gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}` });
  keys = await gw.user('sender@example.test');
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('seed 000 Python sample', () => {
  it('is accepted as posted (str(payload)) and arrives at the relay complete and DKIM-signed', async () => {
    const { stdout: cli } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'dkim', 'create', '--domain', 'example.test', '--selector', 'sel1', '--data-dir', gw.dataDir],
      // The CLI must open the gateway's database, whichever backend this run uses.
      { cwd: root, env: { ...process.env, ...gw.databaseEnv } },
    );
    const published = JSON.parse(cli) as { dnsName: string; dnsValue: string };
    expect(published.dnsName).toBe('sel1._domainkey.example.test');

    const html = Buffer.from('<h1>Report</h1><p>Numbers inside.</p>');
    const text = Buffer.from('Report\n\nNumbers inside.\n');
    const attachment = randomBytes(3000);
    const env = {
      ...process.env,
      MC_BASE_URL: gw.url,
      MC_ACCESS_KEY: keys.accessKey,
      MC_SECRET_KEY: keys.secretKey,
      MC_APP_ID: keys.appId,
      MC_APP_KEY: keys.appKey,
      MC_HTML_FILE_ID: await upload(html),
      MC_TEXT_FILE_ID: await upload(text),
      MC_ATTACHMENT_FILE_ID: await upload(attachment),
      MC_ATTACHMENT_SIZE: String(attachment.length),
    };
    const before = sink.messages.length;
    const { stdout } = await run('python3', [path.join(root, 'test/fixtures/mimecast/send_email_sample.py')], { env });
    const response = JSON.parse(stdout) as { meta: { status: number }; data: Array<{ messageId: string; messageDateHeader: string }>; fail: unknown[] };
    expect(response.meta.status).toBe(200);
    expect(response.fail).toEqual([]);
    const [result] = response.data;
    expect(result?.messageId).toMatch(/^<.+@gateway\.test>$/);

    const [delivered] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(delivered?.mailFrom).toBe('sender@example.test');
    expect(delivered?.rcptTo.sort()).toEqual(['copy@remote.test', 'hidden@remote.test', 'reader@remote.test']);
    const parsed = await simpleParser(delivered!.raw);
    expect(parsed.subject).toBe('Quarterly report: Grüße');
    expect(parsed.messageId).toBe(result?.messageId);
    expect(parsed.headers.get('date')).toBeInstanceOf(Date);
    expect(delivered!.raw.toString()).toContain(`Date: ${result?.messageDateHeader}`);
    expect(parsed.from?.value).toEqual([{ address: 'sender@example.test', name: 'Sender Person' }]);
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value).toEqual([{ address: 'reader@remote.test', name: 'Remote Reader' }]);
    expect(parsed.cc && !Array.isArray(parsed.cc) && parsed.cc.value).toEqual([{ address: 'copy@remote.test', name: "Copy O'Brien" }]);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.html).toContain('<h1>Report</h1><p>Numbers inside.</p>');
    expect(parsed.text?.trim()).toBe(text.toString().trim());
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.filename).toBe('report.bin');
    expect(parsed.attachments[0]?.content.equals(attachment)).toBe(true);
    expect(parsed.headers.get('x-sample-run')).toBe('seed-000');

    const verified = await dkimVerify(delivered!.raw, {
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === published.dnsName) return [[published.dnsValue]];
        throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
      },
    });
    expect(verified.results[0]?.status.result).toBe('pass');
    expect(verified.results[0]?.signingDomain).toBe('example.test');
  });
});

describe('send-email', () => {
  it('returns one data entry per item, and fails only the bad item', async () => {
    const res = await mcPost(
      gw.url,
      keys,
      '/api/email/send-email',
      JSON.stringify({ data: [minimal, { ...minimal, to: [{ emailAddress: 'not-an-address' }] }] }),
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.fail).toHaveLength(1);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_validation_invalid_email_address');
    expect(res.body.fail[0]?.key).toEqual({ ...minimal, to: [{ emailAddress: 'not-an-address' }] });
  });

  it('accepts a body without Content-Type, with nulls as absent values', async () => {
    const uri = '/api/email/send-email';
    const response = await fetch(gw.url + uri, {
      method: 'POST',
      headers: mcHeaders(keys, uri),
      body: JSON.stringify({ data: [{ ...minimal, cc: null, from: null, htmlBody: null }] }),
    });
    const body = (await response.json()) as { data: unknown[]; fail: unknown[] };
    expect(response.status).toBe(200);
    expect(body.data).toHaveLength(1);
    expect(body.fail).toEqual([]);
  });

  it('uses the authorised user as the sender when from is absent', async () => {
    const before = sink.messages.length;
    const res = await sendEmail({ ...minimal, subject: 'default sender' });
    expect(res.body.data).toHaveLength(1);
    const [msg] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(msg?.mailFrom).toBe('sender@example.test');
    expect((await simpleParser(msg!.raw)).from?.value[0]?.address).toBe('sender@example.test');
  });

  it('refuses a from address that is neither the user nor delegated to them, and allows a delegated one', async () => {
    const res = await sendEmail({ ...minimal, from: { emailAddress: 'boss@example.test', displayableName: 'Boss' } });
    expect(res.status).toBe(200);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_operation_forbidden_for_address');
    const user = await gw.server.gateway.store.getUserByEmail('sender@example.test');
    await gw.server.gateway.store.addDelegation(user!.id, 'shared@example.test');
    const ok = await sendEmail({ ...minimal, from: { emailAddress: 'shared@example.test', displayableName: 'Shared' } });
    expect(ok.body.fail).toEqual([]);
    expect(ok.body.data).toHaveLength(1);
  });

  const badItems: Array<[string, Record<string, unknown>, string, string]> = [
    ['to missing', { subject: 's', plainBody: { content: 'x' } }, 'err_validation_null', 'to'],
    ['to not an array', { ...minimal, to: 'reader@remote.test' }, 'err_validation_invalid_type', 'to'],
    ['subject missing', { to: minimal.to }, 'err_validation_null', 'subject'],
    ['subject not a string', { ...minimal, subject: 42 }, 'err_validation_invalid_type', 'subject'],
    ['recipient blank', { ...minimal, to: [{ emailAddress: '' }] }, 'err_validation_blank', 'to[0].emailAddress'],
    ['recipient malformed', { ...minimal, cc: [{ emailAddress: 'a@@b' }] }, 'err_validation_invalid_email_address', 'cc[0].emailAddress'],
    ['CR/LF in subject', { ...minimal, subject: 'hi\r\nBcc: victim@remote.test' }, 'err_validation_invalid_header_value', 'subject'],
    ['CR/LF in display name', { ...minimal, to: [{ emailAddress: 'r@remote.test', displayableName: 'x\nBcc: y@z.test' }] }, 'err_validation_invalid_header_value', 'to[0].displayableName'],
    ['CR/LF in address', { ...minimal, to: [{ emailAddress: 'r@remote.test\r\nBcc: y@z.test' }] }, 'err_validation_invalid_header_value', 'to[0].emailAddress'],
    ['CR/LF in header value', { ...minimal, extraHeaders: [{ name: 'X-A', value: 'v\r\nBcc: y@z.test' }] }, 'err_validation_invalid_header_value', 'extraHeaders[0].value'],
    ['bad header name', { ...minimal, extraHeaders: [{ name: 'X A:', value: 'v' }] }, 'err_validation_invalid_value', 'extraHeaders[0].name'],
    ['unknown body file', { ...minimal, htmlBody: { id: 'no-such-file-id' } }, 'err_xdk_file_not_found', 'htmlBody.id'],
    ['unknown attachment file', { ...minimal, attachments: [{ id: 'no-such-file-id', size: 1 }] }, 'err_xdk_file_not_found', 'attachments[0].id'],
    ['attachment without id', { ...minimal, attachments: [{ filename: 'a.txt', size: 1 }] }, 'err_validation_null', 'attachments[0].id'],
  ];

  it.each(badItems)('answers %s in fail, with nothing written', async (_name, item, code, field) => {
    const before = await countMessages();
    const res = await sendEmail(item);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(res.body.fail).toHaveLength(1);
    expect(res.body.fail[0]?.key).toEqual(item);
    expect(res.body.fail[0]?.errors[0]).toMatchObject({ code, field, retryable: false });
    expect(await countMessages()).toBe(before);
  });

  it('does not let one user attach another user’s upload', async () => {
    const other = await gw.user('other@example.test');
    const id = await upload(Buffer.from('secret'), other);
    const res = await sendEmail({ ...minimal, attachments: [{ id, size: 6 }] });
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_file_not_found');
  });

  it('answers an unparseable body with 400 in the envelope', async () => {
    const res = await mcPost(gw.url, keys, '/api/email/send-email', "{'data': [ {'to': ");
    expect(res.status).toBe(400);
    expect(res.body.meta.status).toBe(400);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_malformed_request');
  });

  it('answers a body over 5 MB with 413 and writes nothing', async () => {
    const before = await countMessages();
    const res = await sendEmail({ ...minimal, plainBody: { content: 'x'.repeat(5 * 1024 * 1024 + 1) } });
    expect(res.status).toBe(413);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_request_too_large');
    expect(await countMessages()).toBe(before);
  });

  it('names the default attachment "Mail Attachment" as the seed documents', async () => {
    const before = sink.messages.length;
    const id = await upload(Buffer.from('attached'));
    const res = await sendEmail({ ...minimal, attachments: [{ id, size: 8 }] });
    expect(res.body.fail).toEqual([]);
    const [msg] = (await sink.waitForMessages(before + 1)).slice(before);
    expect((await simpleParser(msg!.raw)).attachments[0]?.filename).toBe('Mail Attachment');
  });
});

describe('file-upload', () => {
  it('refuses bytes that do not match the declared sha256 or size', async () => {
    const content = Buffer.from('file body');
    const sha = createHash('sha256').update(content).digest('hex');
    const wrongSha = await mcPost(gw.url, keys, '/api/file/file-upload', content, {
      'x-mc-arg': `{'data':[{'sha256':'${'0'.repeat(64)}','fileSize':${content.length}}]}`,
    });
    expect(wrongSha.status).toBe(400);
    expect(wrongSha.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_checksum_mismatch', field: 'sha256' });
    const wrongSize = await mcPost(gw.url, keys, '/api/file/file-upload', content, {
      'x-mc-arg': `{'data':[{'sha256':'${sha}','fileSize':${content.length + 1}}]}`,
    });
    expect(wrongSize.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_checksum_mismatch', field: 'fileSize' });
    const missing = await mcPost(gw.url, keys, '/api/file/file-upload', content);
    expect(missing.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_validation_null', field: 'x-mc-arg' });
  });
});

describe('the API surface', () => {
  it('answers unknown functions with 404 and non-POST with 405, in the envelope', async () => {
    const unknown = await mcPost(gw.url, keys, '/api/email/no-such-function', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.status).toBe(404);
    const get = await fetch(gw.url + '/api/email/send-email', { headers: mcHeaders(keys, '/api/email/send-email') });
    expect(get.status).toBe(405);
  });

  it('carries rate-limit headers in milliseconds', async () => {
    const res = await sendEmail(minimal);
    expect(Number(res.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(60_000);
  });
});

describe('authentication over HTTP', () => {
  const uri = '/api/email/send-email';
  const body = JSON.stringify({ data: [minimal] });

  async function post(headers: Record<string, string>) {
    const response = await fetch(gw.url + uri, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    return { status: response.status, body: (await response.json()) as { meta: { status: number }; fail: Array<{ errors: Array<{ code: string; message: string }> }> } };
  }

  it.each([
    ['Python/PowerShell', (d: Date) => pythonSampleDate(d)],
    ['C# ToString("R")', (d: Date) => d.toUTCString()],
    ['Java EEE, d MMM yyyy (single-digit day)', (d: Date) => d.toUTCString().replace(/, 0(\d) /, ', $1 ').replace('GMT', 'UTC')],
    ['Go RFC1123 with numeric zone', (d: Date) => d.toUTCString().replace('GMT', '+0000')],
  ])('accepts the %s date format', async (_name, format) => {
    const res = await post(mcHeaders(keys, uri, format(new Date())));
    expect(res.status).toBe(200);
  });

  it('refuses a wrong signature with 401 err_xdk_invalid_signature', async () => {
    const headers = mcHeaders(keys, uri);
    headers.Authorization = headers.Authorization!.replace(/:.*/, ':' + Buffer.alloc(20).toString('base64'));
    const res = await post(headers);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ meta: { status: 401 }, data: [], fail: [{ errors: [{ code: 'err_xdk_invalid_signature', message: '0004 Invalid Signature' }] }] });
  });

  it('refuses a stale date, a wrong app id and missing headers with 401', async () => {
    const stale = await post(mcHeaders(keys, uri, pythonSampleDate(new Date(Date.now() - 16 * 60_000))));
    expect(stale.status).toBe(401);
    const wrongApp = await post({ ...mcHeaders(keys, uri), 'x-mc-app-id': '00000000-0000-0000-0000-000000000000' });
    expect(wrongApp.status).toBe(401);
    for (const missing of ['Authorization', 'x-mc-date', 'x-mc-req-id', 'x-mc-app-id']) {
      const headers = mcHeaders(keys, uri);
      delete headers[missing];
      const res = await post(headers);
      expect(res.status, missing).toBe(401);
    }
  });

  it('answers an expired binding with 418 err_xdk_binding_expired', async () => {
    const { store, secrets } = gw.server.gateway;
    const { createMimecastKeys } = await import('../src/auth/identity.js');
    const expired = await createMimecastKeys(store, secrets, { email: 'sender@example.test', expiresAt: Date.now() - 1000 });
    const res = await post(mcHeaders(expired, uri));
    expect(res.status).toBe(418);
    expect(res.body.fail[0]?.errors[0]?.code).toBe('err_xdk_binding_expired');
  });
});

describe('rate limiting', () => {
  it('answers 429 in the envelope once the per-key limit is spent, without running the function', async () => {
    const limited = await startTestGateway({ MAILGATE_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const k = await limited.user('limited@example.test');
      const call = () =>
        mcPost(limited.url, k, '/api/email/send-email', JSON.stringify({ data: [{ ...minimal, subject: 'limited' }] }));
      expect((await call()).status).toBe(200);
      const second = await call();
      expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
      const third = await call();
      expect(third.status).toBe(429);
      expect(third.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_xdk_rate_limit_exceeded', retryable: true });
      expect(await limited.countRows('messages')).toBe(2);
    } finally {
      await limited.stop();
    }
  });
});
