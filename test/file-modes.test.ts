/** Files at rest (docs/files-at-rest.md): `mailgate serve` as operators run it, on a fresh and on a loose data dir. */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnGateway, type GatewayProcess } from './helpers/gateway-process.js';
import { withTempDir } from './helpers/temp-dir.js';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(dataDir: string): Promise<{ gateway: GatewayProcess; lines: string[] }> {
  const gateway = await spawnGateway({ MAILGATE_DATA_DIR: dataDir, MAILGATE_MASTER_KEY: '' });
  cleanups.push(() => gateway.stop());
  return { gateway, lines: gateway.output };
}

describe('mailgate serve', () => {
  it('makes a fresh data dir 0700 and its database and key files 0600', async () => {
    const temp = await withTempDir();
    cleanups.push(() => temp.remove());
    const dataDir = path.join(temp.dir, 'data');
    const { gateway } = await serve(dataDir);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect(mode(dataDir)).toBe('700');
    for (const name of ['mailgate.sqlite', 'mailgate.sqlite-wal', 'mailgate.sqlite-shm', 'master.key']) expect([name, mode(path.join(dataDir, name))]).toEqual([name, '600']);
    expect(mode(path.join(dataDir, 'tls'))).toBe('700');
  });

  it('warns about a master.key others can read, naming it and MAILGATE_MASTER_KEY, and tightens the data dir', async () => {
    const temp = await withTempDir();
    cleanups.push(() => temp.remove());
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const keyFile = path.join(dataDir, 'master.key');
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n');
    chmodSync(keyFile, 0o644);
    const { gateway, lines } = await serve(dataDir);
    // The warnings are logged before "mailgate started", which spawnGateway waited for.
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const warnings = lines.filter((l) => l.includes('"level":40'));
    const keyWarnings = warnings.filter((l) => l.includes(keyFile) && l.includes('MAILGATE_MASTER_KEY'));
    expect(keyWarnings).toHaveLength(1);
    expect(warnings.some((l) => l.includes('data dir was accessible to other users'))).toBe(true);
    expect(mode(keyFile)).toBe('600');
    expect(mode(dataDir)).toBe('700');
  });
});
