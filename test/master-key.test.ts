/**
 * A process whose master key is not the one the database's secrets were sealed with refuses to
 * start, naming MAILGATE_MASTER_KEY: `serve` on SQLite with a replaced master.key, a second process
 * on the same PostgreSQL database without the shared key, the CLI, and a database from before the
 * verifier existed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend, type Backend } from './helpers/backends.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { withTempDir } from './helpers/temp-dir.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const newKey = () => randomBytes(32).toString('base64');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function gateway(env: Record<string, string>, dataDir: string, backend: Backend): Promise<TestGateway> {
  const gw = await startTestGateway(env, dataDir, backend);
  cleanups.push(() => gw.stop());
  return gw;
}

async function tempDir(): Promise<string> {
  const temp = await withTempDir();
  cleanups.push(() => temp.remove());
  return temp.dir;
}

/** A data dir whose master.key is `key`, as each host of a shared database has its own data dir. */
async function dirWithKey(key: string): Promise<string> {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'master.key'), key + '\n', { mode: 0o600 });
  return dir;
}

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('master key check', () => {
  it('SQLite: a replaced master.key stops serve and the CLI with a message naming MAILGATE_MASTER_KEY', async () => {
    const dir = await tempDir();
    const first = await gateway({}, dir, sqliteBackend);
    await first.user('alice@example.test');
    await first.stop();
    cleanups.pop();

    await writeFile(path.join(dir, 'master.key'), newKey() + '\n', { mode: 0o600 });
    await expect(startTestGateway({}, dir, sqliteBackend)).rejects.toThrow(/MAILGATE_MASTER_KEY: this key is not the one/);
    const refused = await cli(['keys', 'create', '--user', 'alice@example.test'], { MAILGATE_DATA_DIR: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^mailgate: configuration error: MAILGATE_MASTER_KEY: /);
    expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('PostgreSQL: a second process without the shared key refuses to start; with it, it serves', async () => {
    const key = newKey();
    const first = await gateway({}, await dirWithKey(key), postgresBackend);
    const keys = await first.user('bob@example.test');
    // A second host whose data dir made a key of its own.
    await expect(startTestGateway(first.databaseEnv, await dirWithKey(newKey()), postgresBackend)).rejects.toThrow(/MAILGATE_MASTER_KEY/);
    const second = await gateway(first.databaseEnv, await dirWithKey(key), postgresBackend);
    // The second process opens the secrets the first sealed.
    expect(second.server.gateway.secrets.open((await second.server.gateway.store.getApiKey(keys.accessKey))?.secretKeyEnc as string)).toBe(keys.secretKey);
  });

  it('a database from before the verifier: a secret it holds must open with the key, which is then remembered', async () => {
    const key = newKey();
    const first = await gateway({}, await dirWithKey(key), postgresBackend);
    await first.user('carol@example.test');
    const client = new pg.Client({ connectionString: first.databaseEnv.MAILGATE_DATABASE_URL });
    await client.connect();
    try {
      await client.query("DELETE FROM settings WHERE name = 'master_key_verifier'");
    } finally {
      await client.end();
    }
    await expect(startTestGateway(first.databaseEnv, await dirWithKey(newKey()), postgresBackend)).rejects.toThrow(/MAILGATE_MASTER_KEY/);
    expect(await first.countRows('settings')).toBe(0);
    await gateway(first.databaseEnv, await dirWithKey(key), postgresBackend);
    expect(await first.countRows('settings')).toBe(1);
  });

  it('master-key rotate re-seals every secret with a new key; the old key is then refused', async () => {
    const dir = await tempDir();
    const first = await gateway({}, dir, sqliteBackend);
    const keys = await first.user('dora@example.test');
    await first.stop();
    cleanups.pop();
    const oldKey = await readFile(path.join(dir, 'master.key'), 'utf8');

    const rotated = await cli(['master-key', 'rotate'], { MAILGATE_DATA_DIR: dir, MAILGATE_MASTER_KEY: '' });
    expect(rotated.code).toBe(0);
    // The Mimecast app key and secret key at least.
    expect(JSON.parse(rotated.stdout)).toMatchObject({ resealed: expect.any(Number), masterKeyFile: path.join(dir, 'master.key') });
    expect((JSON.parse(rotated.stdout) as { resealed: number }).resealed).toBeGreaterThanOrEqual(2);
    expect(await readFile(path.join(dir, 'master.key'), 'utf8')).not.toBe(oldKey);

    const after = await gateway({}, dir, sqliteBackend);
    const stored = await after.server.gateway.store.getApiKey(keys.accessKey);
    expect(after.server.gateway.secrets.open(stored?.secretKeyEnc as string)).toBe(keys.secretKey);
    await after.stop();
    cleanups.pop();

    await writeFile(path.join(dir, 'master.key'), oldKey, { mode: 0o600 });
    await expect(startTestGateway({}, dir, sqliteBackend)).rejects.toThrow(/MAILGATE_MASTER_KEY/);
  });
});
