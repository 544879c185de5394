/**
 * Uploads are bounded (README configuration, docs/vendor-apis.md): per-user quotas of pending
 * upload bytes and open Graph sessions refused in each dialect with nothing stored, idle Graph
 * sessions expiring to 404 and swept with their bytes, unused Mimecast uploads purged after their
 * retention while referenced ones keep working, and upload URLs counting against the Graph throttle.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';
import { mcPost } from './helpers/mimecast-client.js';
import { waitFor } from './helpers/wait-for.js';

const ALICE = 'alice@example.test';
const to = [{ emailAddress: { address: 'reader@remote.test' } }];

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string } };
}

async function graph(f: GraphFixture, token: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url.startsWith('http') ? url : f.gw.url + url, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : {} };
}

function putChunk(url: string, range: string, chunk: Buffer): Promise<Response> {
  return fetch(url, { method: 'PUT', headers: { 'Content-Range': range }, body: new Uint8Array(chunk) });
}

function upload(f: GraphFixture, keys: MimecastKeys, content: Buffer) {
  const sha = createHash('sha256').update(content).digest('hex');
  return mcPost(f.gw.url, keys, '/api/file/file-upload', content, {
    'Content-Type': 'application/octet-stream',
    'x-mc-arg': `{'data':[{'sha256':'${sha}','fileSize':${content.length}}]}`,
  });
}

function sendWith(f: GraphFixture, keys: MimecastKeys, fileId: string) {
  const item = { to: [{ emailAddress: 'reader@remote.test' }], subject: 'with upload', plainBody: { content: 'see attached' }, attachments: [{ id: fileId, filename: 'a.bin' }] };
  return mcPost(f.gw.url, keys, '/api/email/send-email', JSON.stringify({ data: [item] }));
}

async function filesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let n = 0;
  for (const e of entries) n += e.isDirectory() ? await filesUnder(path.join(dir, e.name)) : 1;
  return n;
}

/** Stored blobs: files in the data dir on SQLite; distinct keys in the database on PostgreSQL. */
function blobCount(f: GraphFixture): Promise<number> {
  if (f.gw.databaseEnv.MAILGATE_DATABASE_URL) {
    return Promise.all([f.gw.countRows('blobs'), f.gw.countRows('(SELECT DISTINCT key FROM blob_pieces) AS k')]).then(([a, b]) => a + b);
  }
  return filesUnder(path.join(f.gw.dataDir, 'blobs'));
}

async function draftWithToken(f: GraphFixture): Promise<{ token: string; draftId: string }> {
  await f.user(ALICE);
  const token = await f.userToken(await f.app([]), ALICE, 'Mail.Send Mail.ReadWrite');
  const draft = await graph(f, token, 'POST', '/v1.0/me/messages', { subject: 'uploads', toRecipients: to });
  expect(draft.status).toBe(201);
  return { token, draftId: draft.body.id as string };
}

describe('quotas', () => {
  let f: GraphFixture;
  let keys: MimecastKeys;
  let token: string;
  let draftId: string;

  beforeAll(async () => {
    f = await startGraphFixture({ MAILGATE_UPLOAD_QUOTA_BYTES: '10000', MAILGATE_UPLOAD_SESSIONS_MAX: '2' });
    ({ token, draftId } = await draftWithToken(f));
    keys = await f.gw.user('sender@example.test');
  });
  afterAll(() => f?.stop());

  it('Mimecast: an upload over the pending-bytes quota answers 507 err_xdk_quota_exceeded and stores nothing', async () => {
    const first = await upload(f, keys, randomBytes(6000));
    expect(first.status).toBe(200);
    const [files, blobs] = [await f.gw.countRows('files'), await blobCount(f)];
    const refused = await upload(f, keys, randomBytes(5000));
    expect(refused.status).toBe(507);
    expect(refused.body.meta.status).toBe(507);
    expect(refused.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_xdk_quota_exceeded', retryable: false });
    expect(await f.gw.countRows('files')).toBe(files);
    expect(await blobCount(f)).toBe(blobs);
    // A send that references the upload ends its pending time: the room is back.
    const sent = await sendWith(f, keys, first.body.data[0]?.id as string);
    expect(sent.body.fail).toEqual([]);
    const again = await upload(f, keys, randomBytes(5000));
    expect(again.status).toBe(200);
    expect(await f.gw.countRows('files')).toBe(files + 1);
  });

  it('Graph: a session whose declared size would pass the quota answers 507 ErrorQuotaExceeded, nothing opened', async () => {
    const sessions = await f.gw.countRows('upload_sessions');
    const refused = await graph(f, token, 'POST', `/v1.0/me/messages/${draftId}/attachments/createUploadSession`, {
      AttachmentItem: { attachmentType: 'file', name: 'big.bin', size: 20_000 },
    });
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 507, code: 'ErrorQuotaExceeded' });
    expect(await f.gw.countRows('upload_sessions')).toBe(sessions);
  });

  it('Graph: at most MAILGATE_UPLOAD_SESSIONS_MAX sessions are open at once per user', async () => {
    const create = () =>
      graph(f, token, 'POST', `/v1.0/me/messages/${draftId}/attachments/createUploadSession`, { AttachmentItem: { attachmentType: 'file', name: 's.bin', size: 10 } });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(201);
    const third = await create();
    expect({ status: third.status, code: third.body.error?.code }).toEqual({ status: 507, code: 'ErrorQuotaExceeded' });
    expect(await f.gw.countRows('upload_sessions')).toBe(2);
  });
});

describe('expiry and the sweep', () => {
  let f: GraphFixture;
  let keys: MimecastKeys;
  let token: string;
  let draftId: string;

  beforeAll(async () => {
    // Long sweep interval: the test runs the sweep itself, after the expiry it waited for.
    f = await startGraphFixture({
      MAILGATE_UPLOAD_SESSION_IDLE_SECONDS: '1',
      MAILGATE_UPLOAD_RETENTION_SECONDS: '1',
      MAILGATE_UPLOAD_SWEEP_INTERVAL_SECONDS: '3600',
    });
    ({ token, draftId } = await draftWithToken(f));
    keys = await f.gw.user('sender@example.test');
  });
  afterAll(() => f?.stop());

  it('an idle Graph session answers 404 ErrorItemNotFound, then is purged with its chunks', async () => {
    const blobsBefore = await blobCount(f);
    const created = await graph(f, token, 'POST', `/v1.0/me/messages/${draftId}/attachments/createUploadSession`, {
      AttachmentItem: { attachmentType: 'file', name: 'f.bin', size: 2048 },
    });
    expect(created.status).toBe(201);
    const createdExpiry = Date.parse(created.body.expirationDateTime as string);
    expect(createdExpiry - Date.now()).toBeLessThanOrEqual(1000);
    const url = created.body.uploadUrl as string;
    const first = await putChunk(url, 'bytes 0-1023/2048', randomBytes(1024));
    expect(first.status).toBe(200);
    // The chunk extended the session: its expiry moved on from the creation's.
    const extended = Date.parse(((await first.json()) as { expirationDateTime: string }).expirationDateTime);
    expect(extended).toBeGreaterThanOrEqual(createdExpiry);
    expect(await blobCount(f)).toBe(blobsBefore + 1);

    await waitFor(async () => (await fetch(url)).status === 404, 'the idle session to expire');
    const late = await putChunk(url, 'bytes 1024-2047/2048', randomBytes(1024));
    expect(late.status).toBe(404);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('ErrorItemNotFound');
    expect(await f.gw.countRows('upload_sessions')).toBe(1);

    expect((await f.gw.server.gateway.uploadSweep.runOnce()).sessions).toBe(1);
    expect(await f.gw.countRows('upload_sessions')).toBe(0);
    expect(await blobCount(f)).toBe(blobsBefore);
    expect(await f.gw.countRows('draft_attachments')).toBe(0);
  });

  it('a Mimecast upload no send referenced is purged after its retention; a referenced one keeps working', async () => {
    const used = await upload(f, keys, randomBytes(3000));
    const unused = await upload(f, keys, randomBytes(3000));
    const [usedId, unusedId] = [used.body.data[0]?.id as string, unused.body.data[0]?.id as string];
    expect((await sendWith(f, keys, usedId)).body.fail).toEqual([]);
    const blobsBefore = await blobCount(f);

    let purged = 0;
    await waitFor(async () => (purged += (await f.gw.server.gateway.uploadSweep.runOnce()).files) > 0, 'the unused upload to be purged');
    expect(purged).toBe(1);
    expect(await f.gw.countRows('files')).toBe(1);
    expect(await blobCount(f)).toBe(blobsBefore - 1);

    const gone = await sendWith(f, keys, unusedId);
    expect(gone.body.fail[0]?.errors[0]?.code).toBe('err_xdk_file_not_found');
    const messages = await f.gw.countRows('messages');
    expect((await sendWith(f, keys, usedId)).body.fail).toEqual([]);
    expect(await f.gw.countRows('messages')).toBe(messages + 1);
  });
});

describe('upload URLs and the Graph throttle', () => {
  let f: GraphFixture;
  let token: string;
  let draftId: string;

  beforeAll(async () => {
    f = await startGraphFixture({ MAILGATE_GRAPH_REQUEST_LIMIT: '4' });
    ({ token, draftId } = await draftWithToken(f));
  });
  afterAll(() => f?.stop());

  it('each PUT and GET on the upload URL counts against the app+mailbox budget; over it, 429 and nothing stored', async () => {
    // Request 1 was the draft; 2 opens the session; 3 and 4 are the upload URL's.
    const created = await graph(f, token, 'POST', `/v1.0/me/messages/${draftId}/attachments/createUploadSession`, {
      AttachmentItem: { attachmentType: 'file', name: 'f.bin', size: 2048 },
    });
    const url = created.body.uploadUrl as string;
    expect((await putChunk(url, 'bytes 0-1023/2048', randomBytes(1024))).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    const blobs = await blobCount(f);
    const throttled = await putChunk(url, 'bytes 1024-2047/2048', randomBytes(1024));
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe('ApplicationThrottled');
    expect(await blobCount(f)).toBe(blobs);
    expect(await f.gw.countRows('draft_attachments')).toBe(0);
    // The same budget as the API: the next API call of that app+mailbox is throttled too.
    expect((await graph(f, token, 'GET', `/v1.0/me/messages/${draftId}`)).status).toBe(429);
  });
});
