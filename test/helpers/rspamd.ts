/**
 * A real rspamd (Debian's package) for tests: the stock configuration with a local override
 * directory that binds the normal worker to a free port on 127.0.0.1, runs in the foreground as a
 * child, and points rspamd's own DNS at a closed port so nothing leaves the machine.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { withTempDir } from './temp-dir.js';
import { assertInstalled } from './tools.js';

export interface Rspamd {
  url: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRspamd(timeoutMs = 90_000): Promise<Rspamd> {
  assertInstalled('rspamd', 'rspamd');
  const temp = await withTempDir();
  const local = path.join(temp.dir, 'local.d');
  await mkdir(local);
  for (const dir of ['run', 'db']) await mkdir(path.join(temp.dir, dir));
  const [port, controller] = [await freePort(), await freePort()];
  await writeFile(path.join(local, 'worker-normal.inc'), `bind_socket = "127.0.0.1:${port}";\ncount = 1;\n`);
  await writeFile(path.join(local, 'worker-controller.inc'), `bind_socket = "127.0.0.1:${controller}";\n`);
  await writeFile(path.join(local, 'worker-proxy.inc'), 'enabled = false;\n');
  await writeFile(path.join(local, 'logging.inc'), 'type = "console";\nlevel = "error";\n');
  await writeFile(path.join(local, 'options.inc'), 'dns { nameserver = ["127.0.0.1:9"]; timeout = 0.2s; retransmits = 1; }\n');
  const child = spawn(
    'rspamd',
    ['-f', '-i', '-u', 'root', '-g', 'root', ...['LOCAL_CONFDIR', 'RUNDIR', 'DBDIR', 'LOGDIR'].flatMap((v) => ['--var', `${v}=${v === 'LOCAL_CONFDIR' || v === 'LOGDIR' ? temp.dir : path.join(temp.dir, v === 'RUNDIR' ? 'run' : 'db')}`])],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rspamd exited with ${child.exitCode}`);
    const ok = await fetch(url + 'ping', { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('rspamd did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await temp.remove();
    },
  };
}
