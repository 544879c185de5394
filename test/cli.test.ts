/** The `mailgate` command line, run as a real process against a real data directory. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTempDir } from './helpers/temp-dir.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
let dataDir: string;
let remove: () => Promise<void>;

async function mailgate(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, MAILGATE_DATA_DIR: dataDir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  ({ dir: dataDir, remove } = await withTempDir());
});
afterAll(async () => {
  await remove();
});

describe('mailgate CLI', () => {
  it('adds users with roles and refuses duplicates and unknown roles', async () => {
    const added = await mailgate(['user', 'add', 'Admin@Example.test', '--name', 'The Admin', '--role', 'admin', '--role', 'tracking']);
    expect(added.code).toBe(0);
    // The local part keeps its case (it is what From shows); the domain is normalised.
    expect(JSON.parse(added.stdout)).toMatchObject({ email: 'Admin@example.test', name: 'The Admin', roles: ['admin', 'tracking'] });
    const again = await mailgate(['user', 'add', 'admin@example.test']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const badRole = await mailgate(['user', 'add', 'x@example.test', '--role', 'emperor']);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('Unknown role');
  });

  it('creates Mimecast keys as JSON and stores the secrets only encrypted', async () => {
    await mailgate(['user', 'add', 'keys@example.test']);
    const created = await mailgate(['keys', 'create', '--user', 'keys@example.test']);
    expect(created.code).toBe(0);
    const keys = JSON.parse(created.stdout) as Record<string, string>;
    expect(Object.keys(keys).sort()).toEqual(['accessKey', 'appId', 'appKey', 'secretKey']);
    expect(Buffer.from(keys.secretKey!, 'base64')).toHaveLength(32);
    const db = new Database(path.join(dataDir, 'mailgate.sqlite'), { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM api_keys').all()) + JSON.stringify(db.prepare('SELECT * FROM api_apps').all());
    db.close();
    expect(dump).not.toContain(keys.secretKey);
    expect(dump).not.toContain(keys.appKey);
    expect(readFileSync(path.join(dataDir, 'mailgate.sqlite')).includes(Buffer.from(keys.secretKey!))).toBe(false);
  });

  it('refuses keys for an unknown user and unknown commands', async () => {
    const unknownUser = await mailgate(['keys', 'create', '--user', 'ghost@example.test']);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain('No user ghost@example.test');
    const unknown = await mailgate(['fly']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  it('creates DKIM keys and prints the record to publish', async () => {
    const rsa = await mailgate(['dkim', 'create', '--domain', 'example.test', '--selector', 's1']);
    expect(JSON.parse(rsa.stdout)).toMatchObject({ dnsName: 's1._domainkey.example.test', algorithm: 'rsa-sha256' });
    expect(JSON.parse(rsa.stdout).dnsValue).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    const ed = await mailgate(['dkim', 'create', '--domain', 'example.test', '--algorithm', 'ed25519-sha256']);
    expect(JSON.parse(ed.stdout).dnsValue).toMatch(/k=ed25519/);
  });

  it('answers --version and per-command help without running the command, and warns about unknown MAILGATE_ variables', async () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const version = await mailgate(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
    // serve --help must print, not start a server (which would never return here).
    const serveHelp = await mailgate(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toMatch(/^usage: mailgate\n {2}serve /);
    const keysHelp = await mailgate(['keys', '-h']);
    expect(keysHelp.stdout).toContain('keys create --user <email> --oauth');
    expect(keysHelp.stdout).not.toContain('dkim create');
    const misspelt = await mailgate(['policy', 'list'], { MAILGATE_HTTP_PROT: '9000' });
    expect(misspelt.code).toBe(0);
    expect(misspelt.stderr).toContain('mailgate: warning: MAILGATE_HTTP_PROT is not a mailgate setting and is ignored');
  });

  it('fails fast on bad configuration, naming the variable', async () => {
    const bad = await mailgate(['user', 'add', 'a@example.test'], { MAILGATE_HTTP_PORT: 'many' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('MAILGATE_HTTP_PORT');
  });
});
