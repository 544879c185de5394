/** What every bench needs from the machine: Debian packages, free loopback ports, a quiet CPU. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Installs the Debian packages whose files are missing. Postfix is preseeded to "No configuration"
 * so the system instance is neither configured nor started: the benches run their own on loopback.
 */
export function ensureDebianPackages(wanted: Record<string, string>): void {
  const missing = Object.entries(wanted)
    .filter(([file]) => !existsSync(file))
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  console.error(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('debconf-set-selections', { input: 'postfix postfix/main_mailer_type select No configuration\n', env });
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...new Set(missing)], { stdio: 'inherit', env });
}

/** A TCP port nobody listens on at this moment. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * Shared machines drift: waits (at most `maxWaitMs`) until the 1-minute load average is under
 * `below`, and returns the load measured at the start of the run for the table.
 */
export async function waitForQuietMachine(below: number, maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let load = loadAverage();
  while (load >= below && Date.now() < deadline) {
    console.error(`load average ${load.toFixed(2)} >= ${below}, waiting`);
    await sleep(15_000);
    load = loadAverage();
  }
  return load;
}
