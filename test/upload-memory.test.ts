/**
 * Upload bodies stream to the blob store: eight parallel 49 MB Mimecast file uploads against a
 * gateway in its own process keep that process's peak RSS (VmHWM) far below the bytes in flight.
 * Before streaming, each body was collected whole and the same run peaked at about 840 MB. The
 * bound is on the growth above the process's RSS at start, which holds its delivery thread too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import { addUser, createMimecastKeys } from '../src/auth/identity.js';
import { createSecretBox } from '../src/auth/secret-box.js';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { spawnGateway, type GatewayProcess } from './helpers/gateway-process.js';
import { mcHeaders } from './helpers/mimecast-client.js';
import { withTempDir } from './helpers/temp-dir.js';

const UPLOADS = 8;
const SIZE = 49 * 1024 * 1024;
/** The bound: 8 × 49 MB = 392 MB in flight; a streaming gateway holds a few pieces of each. */
const MAX_GROWTH_MB = 100;

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
}

it('eight parallel 49 MB uploads grow the gateway process by less than 100 MB RSS', async () => {
  const temp = await withTempDir();
  cleanups.push(() => temp.remove());
  const masterKey = randomBytes(32).toString('base64');
  const store = await openSqliteStore(temp.dir);
  await addUser(store, { email: 'sender@example.test' });
  const keys = await createMimecastKeys(store, createSecretBox(Buffer.from(masterKey, 'base64')), { email: 'sender@example.test' });
  await store.close();

  const gw: GatewayProcess = await spawnGateway({ MAILGATE_DATA_DIR: temp.dir, MAILGATE_MASTER_KEY: masterKey, MAILGATE_LOG_LEVEL: 'info' });
  cleanups.push(() => gw.stop());
  const pid = gw.child.pid as number;
  const startRss = await statusKb(pid, 'VmRSS');

  const content = randomBytes(SIZE);
  const sha = createHash('sha256').update(content).digest('hex');
  const uri = '/api/file/file-upload';
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: UPLOADS }, async () => {
      const res = await fetch(gw.url + uri, {
        method: 'POST',
        headers: { ...mcHeaders(keys, uri), 'Content-Type': 'application/octet-stream', 'x-mc-arg': `{'data':[{'sha256':'${sha}','fileSize':${SIZE}}]}` },
        body: new Uint8Array(content),
      });
      return { status: res.status, body: (await res.json()) as { data: Array<{ id: string }> } };
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const peakMb = (await statusKb(pid, 'VmHWM')) / 1024;

  console.log(
    [
      '| uploads | MB each | MB in flight | gateway RSS at start (MB) | gateway peak RSS, VmHWM (MB) | seconds |',
      '| --- | --- | --- | --- | --- | --- |',
      `| ${UPLOADS} | ${SIZE / 2 ** 20} | ${(UPLOADS * SIZE) / 2 ** 20} | ${(startRss / 1024).toFixed(0)} | ${peakMb.toFixed(0)} | ${seconds.toFixed(1)} |`,
    ].join('\n'),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(UPLOADS).fill(200));
  expect(new Set(answers.map((a) => a.body.data[0]?.id)).size).toBe(UPLOADS);
  expect(peakMb - startRss / 1024).toBeLessThan(MAX_GROWTH_MB);
}, 120_000);
