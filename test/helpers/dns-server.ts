/**
 * A real DNS server for tests: Debian's dnsmasq as a foreground child on 127.0.0.1 at a free
 * port, answering only from a generated config. Names under `local` zones that are not configured
 * answer NXDOMAIN, as an authoritative server would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { promises as dns } from 'node:dns';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withTempDir } from './temp-dir.js';
import { assertInstalled } from './tools.js';

export interface DnsRecords {
  /** Zones answered only from these records (e.g. `test`). */
  localZones: string[];
  txt?: Array<{ name: string; value: string }>;
  a?: Array<{ name: string; ip: string }>;
  mx?: Array<{ name: string; host: string; preference: number }>;
  ptr?: Array<{ ip: string; name: string }>;
}

export interface DnsServer {
  /** `127.0.0.1:port`, as MAILGATE_DNS_SERVERS takes it. */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** dnsmasq takes each TXT string separately, 255 octets at most (RFC 1035 3.3.14); long values are split. */
function txtStrings(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return parts.map((p) => `"${p.replace(/(["\\])/g, '\\$1')}"`).join(',');
}

function configOf(records: DnsRecords): string {
  const lines = [
    ...records.localZones.map((z) => `local=/${z}/`),
    ...(records.txt ?? []).map((t) => `txt-record=${t.name},${txtStrings(t.value)}`),
    ...(records.a ?? []).map((a) => `host-record=${a.name},${a.ip}`),
    ...(records.mx ?? []).map((m) => `mx-host=${m.name},${m.host},${m.preference}`),
    ...(records.ptr ?? []).map((p) => `ptr-record=${p.ip.split('.').reverse().join('.')}.in-addr.arpa,${p.name}`),
  ];
  return lines.join('\n') + '\n';
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function answering(address: string, probe: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([address]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited with ${child.exitCode}`);
    try {
      await resolver.resolveTxt(probe);
      return;
    } catch (error) {
      // NXDOMAIN/NODATA also prove it answers; only timeouts and refusals mean "not yet".
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') return;
      if (Date.now() > deadline) throw new Error(`dnsmasq did not answer on ${address}: ${code}`);
    }
  }
}

/** Starts dnsmasq serving `records`; stop it with close(). */
export async function startDnsServer(records: DnsRecords): Promise<DnsServer> {
  const temp = await withTempDir();
  const conf = path.join(temp.dir, 'dnsmasq.conf');
  await writeFile(conf, configOf(records));
  // dnsmasq binds TCP as well as UDP on its port: a free UDP port can still be taken on TCP by
  // another test's listener, so a start that finds it in use tries another port.
  for (let attempt = 1; ; attempt++) {
    try {
      const started = await startOnFreePort(conf, `probe.${records.localZones[0] ?? 'test'}`);
      return {
        address: started.address,
        port: started.port,
        async close() {
          await started.stop();
          await temp.remove();
        },
      };
    } catch (error) {
      if (attempt >= 5 || !/Address already in use/.test((error as Error).message)) {
        await temp.remove();
        throw error;
      }
    }
  }
}

async function startOnFreePort(conf: string, probe: string): Promise<{ address: string; port: number; stop(): Promise<void> }> {
  assertInstalled('/usr/sbin/dnsmasq', 'dnsmasq-base');
  const port = await freeUdpPort();
  const child = spawn(
    '/usr/sbin/dnsmasq',
    [
      '--keep-in-foreground',
      `--conf-file=${conf}`,
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--pid-file=',
      '--cache-size=0',
      '--log-facility=-',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const address = `127.0.0.1:${port}`;
  try {
    await answering(address, probe, child, 10_000);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    address,
    port,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
