/**
 * The command line as an operator meets it, run as real processes: list / revoke / remove for
 * users, keys, apps and DKIM keys (JSON lines, no secrets), misspelt commands and options refused
 * with the nearest match and exit code 2, and one clear line for a busy port or a database that
 * cannot be opened.
 */
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runMailgate } from './helpers/cli.js';
import { POSTGRES_ADMIN_URL } from './helpers/backends.js';
import { withTempDir } from './helpers/temp-dir.js';

let dataDir: string;
let remove: () => Promise<void>;
const mailgate = (...args: string[]) => runMailgate(args, { MAILGATE_DATA_DIR: dataDir });

beforeAll(async () => {
  ({ dir: dataDir, remove } = await withTempDir());
});
afterAll(async () => {
  await remove();
});

// Each run starts a TypeScript process (seconds each on a loaded 2-core machine).
describe('identities on the command line', { timeout: 180_000 }, () => {
  it('lists users, keys and apps as JSON lines without secrets; revokes and removes them', async () => {
    expect((await mailgate('user', 'add', 'ops@example.test')).code).toBe(0);
    const keys = JSON.parse((await mailgate('keys', 'create', '--user', 'ops@example.test')).stdout) as Record<string, string>;
    const app = JSON.parse((await mailgate('app', 'create', '--name', 'Graph client', '--permission', 'Mail.Send')).stdout) as Record<string, string>;

    const listedKeys = await mailgate('keys', 'list');
    expect(jsonLines(listedKeys.stdout)).toEqual([expect.objectContaining({ accessKey: keys.accessKey, user: 'ops@example.test', revokedAt: null })]);
    expect(listedKeys.stdout).not.toContain(keys.secretKey);
    expect(listedKeys.stdout).not.toContain(keys.appKey);
    const listedApps = await mailgate('app', 'list');
    expect(jsonLines(listedApps.stdout)).toEqual([expect.objectContaining({ clientId: app.clientId, kind: 'oauth', permissions: ['Mail.Send'], revokedAt: null })]);
    expect(listedApps.stdout).not.toContain(app.clientSecret);

    const revoked = await mailgate('keys', 'revoke', keys.accessKey as string, '--by', 'ops-team');
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ accessKey: keys.accessKey, revokedAt: expect.any(String) });
    expect(JSON.parse((await mailgate('app', 'revoke', app.clientId as string)).stdout)).toMatchObject({ revokedAt: expect.any(String) });
    expect(await mailgate('keys', 'revoke', 'no-such-key')).toMatchObject({ code: 1, stderr: 'mailgate: No access key no-such-key\n' });

    expect((await mailgate('user', 'remove', 'ops@example.test')).code).toBe(0);
    expect(jsonLines((await mailgate('user', 'list')).stdout)).toEqual([]);
  });

  it('lists DKIM keys with their DNS record and removes one', async () => {
    await mailgate('dkim', 'create', '--domain', 'example.test', '--selector', 's1', '--algorithm', 'ed25519-sha256');
    const listed = jsonLines((await mailgate('dkim', 'list')).stdout);
    expect(listed).toEqual([expect.objectContaining({ domain: 'example.test', selector: 's1', signing: true, dnsName: 's1._domainkey.example.test', dnsValue: expect.stringMatching(/^v=DKIM1; k=ed25519; p=/) })]);
    expect(JSON.stringify(listed)).not.toMatch(/PRIVATE/);
    expect((await mailgate('dkim', 'remove', 'example.test', 's1')).code).toBe(0);
    expect((await mailgate('dkim', 'list')).stdout).toBe('');
  });

  it('refuses misspelt commands, actions and options with the nearest match, exit code 2', async () => {
    expect(await mailgate('keyz', 'list')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^mailgate: unknown command "keyz"; did you mean "keys"\?\n/) });
    expect(await mailgate('dkim', 'lst')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown dkim action "lst"; did you mean "list"?') });
    expect(await mailgate('user', 'add', 'x@example.test', '--nmae', 'X')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --nmae; did you mean "--name"?') });
    expect(await mailgate('serve', '--bogus')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --bogus') });
    // Nothing was created by the refused command.
    expect(jsonLines((await mailgate('user', 'list')).stdout).map((u) => u.email)).not.toContain('x@example.test');
  });
});

describe('operator failures in one line', { timeout: 180_000 }, () => {
  let busy: Server;
  beforeAll(async () => {
    busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
  });
  afterAll(() => {
    busy.close();
  });

  it('names the setting of a busy port, without a stack trace', async () => {
    const port = (busy.address() as { port: number }).port;
    const { dir, remove: cleanup } = await withTempDir();
    try {
      const env = { MAILGATE_DATA_DIR: dir, MAILGATE_HTTP_PORT: String(port), MAILGATE_HTTPS_PORT: '0', MAILGATE_SMTP_PORT: '0', MAILGATE_LOG_LEVEL: 'silent' };
      const res = await runMailgate(['serve'], env);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`mailgate: port ${port} is already in use (MAILGATE_HTTP_PORT)\n`);
    } finally {
      await cleanup();
    }
  });

  it('names mailgate migrate for a SQLite file that is no database', async () => {
    const { dir, remove: cleanup } = await withTempDir();
    try {
      await writeFile(path.join(dir, 'mailgate.sqlite'), 'not a database '.repeat(20));
      const res = await runMailgate(['user', 'list'], { MAILGATE_DATA_DIR: dir });
      expect(res.code).toBe(1);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toContain(`cannot open the SQLite database ${path.join(dir, 'mailgate.sqlite')} (file is not a database)`);
      expect(res.stderr).toContain('`mailgate migrate`');
    } finally {
      await cleanup();
    }
  });

  it('names mailgate migrate for a PostgreSQL database without the schema', async () => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.searchParams.set('options', '-c search_path=mailgate_no_such_schema');
    const res = await runMailgate(['user', 'list'], { MAILGATE_DATA_DIR: dataDir, MAILGATE_DATABASE_URL: url.toString() });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^mailgate: the PostgreSQL database has no usable mailgate schema .*`mailgate migrate`\n$/);
  });
});
