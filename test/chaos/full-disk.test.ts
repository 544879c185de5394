/**
 * A full data dir (issue 17): with it on a 40 MB tmpfs filled to the last byte, every way in
 * answers a temporary failure in its own shape (SMTP 452 4.3.1, HTTP 503 + Retry-After), nothing
 * is accepted without being on disk, one warning is logged, and service is normal once space is
 * freed. Mounting needs root (CAP_SYS_ADMIN); without it the test is skipped and says so.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend } from '../helpers/backends.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { DIALECTS, idOf, loadClient, provisionAccounts, type LoadClient } from './clients.js';

const mountPoint = await mkdtemp(path.join(tmpdir(), 'mailgate-tmpfs-'));
let mountRefused: string | undefined;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', mountPoint], { stdio: 'pipe' });
} catch (error) {
  mountRefused = String((error as { stderr?: Buffer }).stderr ?? error).trim();
  console.warn(`full-disk test skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN), refused here: ${mountRefused}`);
}

/** Writes `file` until the file system refuses with ENOSPC, in ever smaller pieces down to one byte. */
function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const piece = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          written += writeSync(fd, piece);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

describe.skipIf(mountRefused !== undefined)('a full data dir (40 MB tmpfs)', () => {
  const logLines: string[] = [];
  let sink: SmtpSink;
  let gw: TestGateway;
  let client: LoadClient;
  const filler = path.join(mountPoint, 'filler');
  const logged = (text: string) => logLines.filter((l) => l.includes(text)).length;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    // /readyz wants 10 MB free here: the whole tmpfs is smaller than the 100 MB default.
    gw = await startTestGateway(
      { MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAILGATE_READY_MIN_FREE_MB: '10' },
      path.join(mountPoint, 'data'),
      sqliteBackend,
      { log },
    );
    const accounts = await provisionAccounts(gw.server.gateway.store, gw.server.gateway.secrets);
    client = loadClient({ url: gw.url, smtpPort: gw.server.smtpPort }, accounts);
  });
  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await sink?.close();
    if (mountRefused === undefined) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('refuses every way in as temporary while full, logs one warning, and accepts again once space is freed', async () => {
    // Before: each way in works (and the Graph token is fetched while there is room).
    for (const dialect of DIALECTS) expect((await client.send(dialect, `chaos-before-${dialect}`)).accepted, dialect).toBe(true);
    await sink.waitForMessages(DIALECTS.length);
    const messagesBefore = await gw.countRows('messages');

    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    expect(fillUp(filler)).toBeGreaterThan(0);
    const answers = Object.fromEntries(await Promise.all(DIALECTS.map(async (d) => [d, await client.send(d, `chaos-full-${d}`)] as const)));
    // A second round: still refused, still one warning.
    for (const dialect of DIALECTS) expect((await client.send(dialect, `chaos-full2-${dialect}`)).accepted).toBe(false);

    const mimecast = answers.mimecast!;
    expect(mimecast.status).toBe(503);
    expect(mimecast.headers?.get('retry-after')).toBe('30');
    const mcBody = JSON.parse(mimecast.body) as { meta: { status: number }; fail: Array<{ errors: Array<{ code: string; retryable: boolean }> }> };
    expect(mcBody.meta.status).toBe(503);
    expect(mcBody.fail[0]?.errors[0]).toMatchObject({ code: 'err_xdk_insufficient_storage', retryable: true });

    const graph = answers.graph!;
    expect(graph.status).toBe(503);
    expect(graph.headers?.get('retry-after')).toBe('30');
    expect((JSON.parse(graph.body) as { error: { code: string } }).error.code).toBe('ServiceNotAvailable');

    const works = answers.works!;
    expect(works.status).toBe(503);
    expect(works.headers?.get('retry-after')).toBe('30');
    expect(JSON.parse(works.body)).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', description: 'Insufficient system storage' });

    expect(answers.smtp).toMatchObject({ accepted: false, status: 452 });
    expect(answers.smtp!.body).toMatch(/^452 4\.3\.1 Insufficient system storage/);

    // Nothing was taken: no message row, nothing at the relay, one warning for eight refusals.
    expect(await gw.countRows('messages')).toBe(messagesBefore);
    expect(sink.messages).toHaveLength(DIALECTS.length);
    expect(logged('disk full')).toBe(1);
    expect(gw.server.gateway.space.short).toBe(true);
    const unready = await fetch(`${gw.url}/readyz`);
    expect(unready.status).toBe(503);
    expect(unready.headers.get('retry-after')).toBe('30');
    expect(((await unready.json()) as { checks: { disk: { ok: boolean } } }).checks.disk.ok).toBe(false);

    unlinkSync(filler);
    for (const dialect of DIALECTS) expect((await client.send(dialect, `chaos-after-${dialect}`)).accepted, dialect).toBe(true);
    const delivered = await sink.waitForMessages(2 * DIALECTS.length);
    expect(delivered.map((m) => idOf(m.raw)).filter((id) => id?.startsWith('chaos-after-'))).toHaveLength(DIALECTS.length);
    expect(logged('disk space is back')).toBe(1);
    expect(logged('disk full')).toBe(1);
    expect(gw.server.gateway.space.short).toBe(false);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
  });
});
