/**
 * Postfix pieces the benches share: one `smtp-sink` that counts every message delivered to it,
 * and a Postfix instance of our own (config and queue in a temp dir, loopback ports only) as the
 * reference MTA relaying to that sink.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDebianPackages, freePort } from './system.js';

/** Installs Postfix (smtp-sink, smtp-source, the peer) when missing. */
export function ensurePostfix(): void {
  ensureDebianPackages({ '/usr/sbin/postfix': 'postfix', '/usr/sbin/smtp-sink': 'postfix', '/usr/sbin/smtp-source': 'postfix' });
}

export interface Sink {
  port: number;
  /** Messages received (ended with "." and answered 250) since the sink started. */
  count(): number;
  /** Resolves once the count reaches `target`; rejects after `timeoutMs` without progress. */
  waitFor(target: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** Starts Postfix's smtp-sink on loopback; `-c` makes it print running counters we parse. */
export async function startSink(): Promise<Sink> {
  const port = await freePort();
  // smtp-sink drops root privileges to the user given with -u; 1024 = listen backlog.
  const child = spawn('/usr/sbin/smtp-sink', ['-c', '-u', 'postfix', `127.0.0.1:${port}`, '1024'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let count = 0;
  let tail = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    tail = (tail + text).slice(-200);
    const all = [...tail.matchAll(/mesg=(\d+)/g)];
    const last = all[all.length - 1];
    if (last) count = Math.max(count, Number(last[1]));
  });
  await waitForPort(port, child);
  return {
    port,
    count: () => count,
    async waitFor(target, timeoutMs = 120_000) {
      let seen = count;
      let progressAt = Date.now();
      while (count < target) {
        if (count !== seen) {
          seen = count;
          progressAt = Date.now();
        } else if (Date.now() - progressAt > timeoutMs) {
          throw new Error(`sink stalled at ${count} of ${target} messages`);
        }
        await sleep(5);
      }
      return Date.now();
    },
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const net = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${String(child.spawnfile)} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await sleep(50);
  }
}

export interface PostfixPeer {
  /** Loopback port of its smtpd. */
  port: number;
  /** The master process: every Postfix daemon of this instance is its child. */
  masterPid: number;
  stop(): Promise<void>;
}

/**
 * How the peer is configured beyond the isolation every instance gets (its own config and queue dir,
 * loopback only, port 25 never opened, relayhost and mynetworks set):
 * - `bench`: the benches' long-standing instance, logging through `maillog_file` (postlogd) into
 *   the temp dir, no local domains, IPv4 only, mailgate's 50 MB message size limit;
 * - `debian`: Debian's main.cf as its postinst writes it, logging to syslog as stock (where no
 *   syslog daemon listens on /dev/log, the log lines go nowhere, as on a stock install without one).
 */
export type PeerConfig = 'bench' | 'debian';

export interface PeerOptions {
  /** The sink everything is relayed to. */
  relayPort: number;
  /** Queue only: accepted mail goes to the hold queue and is never delivered (acceptance alone). */
  acceptOnly?: boolean;
  /** `bench` unless given. */
  config?: PeerConfig;
}

function postfixUid(): number {
  return Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' }).trim());
}

function postconf(configDir: string, ...args: string[]): void {
  execFileSync('/usr/sbin/postconf', ['-c', configDir, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The bench instance's own settings (see PeerConfig). */
function benchSettings(dir: string): string[] {
  return [
    'compatibility_level = 3.6',
    'mail_owner = postfix',
    'setgid_group = postdrop',
    'myhostname = peer.bench.test',
    'mydestination =',
    'local_recipient_maps =',
    'alias_maps =',
    'alias_database =',
    'inet_protocols = ipv4',
    'smtpd_relay_restrictions = permit_mynetworks, reject',
    // Logged to a file, as mailgate logs each delivery too, into the temp dir.
    `maillog_file = ${dir}/maillog`,
    `maillog_file_prefixes = ${dir}`,
    'biff = no',
    // mailgate's MAILGATE_MAX_MESSAGE_BYTES default; Postfix's own is 10 MB.
    'message_size_limit = 52428800',
  ];
}

/**
 * What Debian's postinst writes for a new install: main.cf.debian (plus main.cf.tls when the
 * snakeoil key exists), its relay restrictions, and the debconf defaults for the rest.
 */
function debianSettings(): string[] {
  const tls = existsSync('/etc/ssl/private/ssl-cert-snakeoil.key') ? readFileSync('/usr/share/postfix/main.cf.tls', 'utf8') : '';
  return [
    readFileSync('/usr/share/postfix/main.cf.debian', 'utf8'),
    tls,
    'smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination',
    'myhostname = peer.bench.test',
    'alias_maps = hash:/etc/aliases',
    'alias_database = hash:/etc/aliases',
    'mydestination = $myhostname, localhost.bench.test, localhost',
    'mailbox_size_limit = 0',
    'recipient_delimiter = +',
    'inet_protocols = all',
  ];
}

/**
 * Starts a private Postfix instance: config and queue under a temp dir, smtpd on a loopback port,
 * everything relayed to the sink. Queue files are fsynced as usual in both configurations.
 */
export async function startPostfixPeer(options: PeerOptions): Promise<PostfixPeer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-postfix-'));
  const configDir = path.join(dir, 'etc');
  // Postfix daemons run as the postfix user and must reach the queue below the temp dir.
  chmodSync(dir, 0o755);
  mkdirSync(configDir);
  mkdirSync(path.join(dir, 'queue'));
  mkdirSync(path.join(dir, 'data'));
  chownSync(path.join(dir, 'data'), postfixUid(), 0);
  const port = await freePort();
  writeFileSync(
    path.join(configDir, 'main.cf'),
    [
      ...(options.config === 'debian' ? debianSettings() : benchSettings(dir)),
      // The isolation both configurations share (none of it is set above).
      `queue_directory = ${dir}/queue`,
      `data_directory = ${dir}/data`,
      `relayhost = [127.0.0.1]:${options.relayPort}`,
      'inet_interfaces = loopback-only',
      'mynetworks = 127.0.0.0/8',
      // Never the system's port 25: the stock smtp/inet service is off, ours is added below.
      'master_service_disable = smtp/inet',
      // Acceptance alone: every message is queued on disk (fsynced as usual) into the hold queue,
      // which the queue manager leaves alone. (Disabling qmgr instead makes cleanup stall on its
      // missing trigger socket, about a second per message.)
      ...(options.acceptOnly ? ['smtpd_data_restrictions = check_client_access static:HOLD'] : []),
      '',
    ].join('\n'),
  );
  copyFileSync('/usr/share/postfix/master.cf.dist', path.join(configDir, 'master.cf'));
  // No chroot: the temp queue dir has none of the files a chroot jail needs.
  postconf(configDir, '-F', '*/*/chroot = n');
  postconf(configDir, '-M', `127.0.0.1:${port}/inet = 127.0.0.1:${port} inet n - n - - smtpd`);
  // `check` creates the queue's subdirectories with the owners and modes Postfix insists on.
  execFileSync('/usr/sbin/postfix', ['-c', configDir, 'check'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('/usr/sbin/postfix', ['-c', configDir, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const child = { exitCode: null, spawnfile: 'postfix' } as unknown as ChildProcess;
  await waitForPort(port, child);
  const masterPid = Number(readFileSync(path.join(dir, 'queue/pid/master.pid'), 'utf8').trim());
  return {
    port,
    masterPid,
    async stop() {
      execFileSync('/usr/sbin/postfix', ['-c', configDir, 'stop'], { stdio: ['ignore', 'ignore', 'inherit'] });
      // `stop` returns before the master has exited; the queue must not vanish under it.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        try {
          process.kill(masterPid, 0);
        } catch {
          break;
        }
        await sleep(50);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
