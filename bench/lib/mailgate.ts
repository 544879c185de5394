/**
 * mailgate as the operator runs it: the built `dist/cli/main.js serve` in its own process (so its
 * RSS and CPU are its own), with a data dir prepared through the CLI (user, Mimecast keys, DKIM key).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MimecastKeys } from '../../src/auth/identity.js';
import { freePort } from './system.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');

/**
 * What `npm run build` does, so the bench measures the current source; a type error elsewhere in
 * the tree (someone's work in progress) is reported but does not stop the bench, as tsc still emits.
 */
export function buildMailgate(): void {
  try {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    console.error(`tsc reported errors; benchmarking what it emitted:\n${String((error as { stdout?: Buffer }).stdout ?? '').slice(0, 2000)}`);
  }
  cpSync(path.join(root, 'src/store/migrations'), path.join(root, 'dist/store/migrations'), { recursive: true });
  if (!existsSync(cli)) throw new Error('the build produced no dist/cli/main.js');
}

function mailgateCli(dataDir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [cli, ...args, '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, MAILGATE_LOG_LEVEL: 'warn', ...env } });
}

export interface Template {
  dir: string;
  keys: MimecastKeys;
  remove(): void;
}

/** The sending user of every bench; mail from this domain is DKIM-signed when `dkim` is set. */
export const SENDER = 'bench@example.test';

/**
 * A data dir with the bench user, its Mimecast keys and (optionally) a DKIM key, copied for each run.
 * With MAILGATE_DATABASE_URL in `env` the records go to that database and the dir keeps only the
 * master key they are sealed with.
 */
export function prepareTemplate(options: { dkim: boolean; localUsers?: string[]; env?: Record<string, string> }): Template {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-mailgate-template-'));
  const run = (args: string[]) => mailgateCli(dir, args, options.env);
  if (options.env?.MAILGATE_DATABASE_URL) run(['migrate']);
  run(['user', 'add', SENDER, '--name', 'Bench']);
  for (const user of options.localUsers ?? []) run(['user', 'add', user]);
  const keys = JSON.parse(run(['keys', 'create', '--user', SENDER])) as MimecastKeys;
  if (options.dkim) run(['dkim', 'create', '--domain', 'example.test', '--selector', 'bench']);
  return { dir, keys, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface MailgateProcess {
  pid: number;
  dataDir: string;
  url: string;
  smtpPort: number;
  stop(): Promise<void>;
}

/** Starts `serve` on a copy of the template with `env` on top (relay, worker concurrency, …). */
export async function startMailgate(template: Template, env: Record<string, string>, nodeArgs: string[] = []): Promise<MailgateProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-mailgate-'));
  cpSync(template.dir, dataDir, { recursive: true });
  const httpPort = await freePort();
  const smtpPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, cli, 'serve'], {
    cwd: dataDir,
    env: {
      ...process.env,
      MAILGATE_DATA_DIR: dataDir,
      MAILGATE_HTTP_PORT: String(httpPort),
      MAILGATE_HTTPS_PORT: '0',
      MAILGATE_SMTP_PORT: String(smtpPort),
      MAILGATE_LOG_LEVEL: 'info',
      // One access key sends everything; the default 6,000 a minute would answer 429 mid-run.
      MAILGATE_RATE_LIMIT_PER_MINUTE: '10000000',
      ...env,
    },
    // Logged at info like a deployment, into the void rather than into the bench's table.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mailgate exited with ${child.exitCode}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error('mailgate did not start');
    await sleep(100);
  }
  return {
    pid: child.pid as number,
    dataDir,
    url,
    smtpPort,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
