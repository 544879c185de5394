/** `mailgate policy | sender | dnsbl`, run as real processes against a real data directory. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/store.js';
import { withTempDir } from './helpers/temp-dir.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
let dataDir: string;
let remove: () => Promise<void>;

async function mailgate(...args: string[]) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, MAILGATE_DATA_DIR: dataDir },
    });
    return { code: 0, stdout, stderr, json: JSON.parse(stdout) as unknown };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: undefined };
  }
}

beforeAll(async () => {
  ({ dir: dataDir, remove } = await withTempDir());
});
afterAll(async () => {
  await remove();
});

// Each run starts a TypeScript process (seconds each on a loaded 2-core machine).
describe('inbound settings on the command line', { timeout: 180_000 }, () => {
  it('adds, lists and removes policies, and refuses an incomplete one', async () => {
    const added = await mailgate('policy', 'add', '--name', 'Executables', '--kind', 'attachment', '--extension', '.EXE', '--extension', 'js', '--route', 'inbound', '--route', 'outbound', '--by', 'ops');
    expect(added.code).toBe(0);
    expect(added.json).toMatchObject({ name: 'Executables', kind: 'attachment', routes: ['inbound', 'outbound'], params: { extensions: ['exe', 'js'] } });
    const listed = await mailgate('policy', 'list');
    expect((listed.json as Array<{ id: string }>).map((p) => p.id)).toEqual([(added.json as { id: string }).id, 'default-inbound-spam']);
    const bad = await mailgate('policy', 'add', '--name', 'empty', '--kind', 'content');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/content policy needs its parameters/);
    expect((await mailgate('policy', 'remove', (added.json as { id: string }).id)).code).toBe(0);
    expect((await mailgate('policy', 'remove', 'nope')).stderr).toMatch(/No policy nope/);
  });

  it('manages sender lists and DNSBL zones, and audits each change with the operator', async () => {
    expect((await mailgate('sender', 'add', 'blocked', '*@Spam.test', '--note', 'abuse')).json).toMatchObject({ list: 'blocked', pattern: '@spam.test', note: 'abuse' });
    expect((await mailgate('sender', 'add', 'blocked', '@spam.test')).stderr).toMatch(/already on the blocked list/);
    expect((await mailgate('sender', 'add', 'greylist', '@x.test')).stderr).toMatch(/permitted or blocked/);
    expect((await mailgate('sender', 'remove', 'blocked', '@spam.test', '--by', 'ops')).code).toBe(0);
    expect((await mailgate('dnsbl', 'add', 'zen.example.org', '--kind', 'ip', '--weight', '4')).json).toMatchObject({ zone: 'zen.example.org', kind: 'ip', weight: 4 });
    expect((await mailgate('dnsbl', 'list')).json).toEqual([expect.objectContaining({ zone: 'zen.example.org' })]);
    expect((await mailgate('dnsbl', 'add', 'not a zone')).code).toBe(1);
    expect((await mailgate('dnsbl', 'remove', 'zen.example.org')).code).toBe(0);
    const store = await openSqliteStore(dataDir);
    try {
      const { entries } = await store.listAudit({ offset: 0, limit: 20 });
      expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['sender_add', 'sender_remove', 'dnsbl_put', 'dnsbl_remove', 'policy_create', 'policy_delete']));
      expect(entries.find((e) => e.action === 'sender_remove')?.operator).toBe('ops');
      expect(entries.find((e) => e.action === 'dnsbl_put')?.operator).toMatch(/^cli:/);
    } finally {
      await store.close();
    }
  });
});
