/**
 * SIGTERM with a delivery stuck on a silent SMTP peer: the process exits once
 * MAILGATE_SHUTDOWN_SECONDS have passed, giving up its lease, so that the next start delivers the
 * message at once instead of after MAILGATE_LEASE_SECONDS.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { spawnGateway, type GatewayProcess } from './helpers/gateway-process.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function cli(dataDir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, MAILGATE_DATA_DIR: dataDir, MAILGATE_LOCAL_DOMAINS: 'example.test' },
  });
  return stdout;
}

/** A TCP server that accepts connections and never says a word (no SMTP greeting). */
async function silentPeer(): Promise<{ port: number; connected: Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connected!: () => void;
  const first = new Promise<void>((resolve) => (connected = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    connected();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    connected: first,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('bounded shutdown', () => {
  it('gives up a stuck delivery lease after MAILGATE_SHUTDOWN_SECONDS; the next start delivers at once', async () => {
    const temp = await withTempDir();
    cleanups.push(() => temp.remove());
    await cli(temp.dir, ['user', 'add', 'sender@example.test']);
    const keys = JSON.parse(await cli(temp.dir, ['keys', 'create', '--user', 'sender@example.test'])) as MimecastKeys;

    const peer = await silentPeer();
    cleanups.push(() => peer.close());
    const env = { MAILGATE_DATA_DIR: temp.dir, MAILGATE_LOCAL_DOMAINS: 'example.test', MAILGATE_SHUTDOWN_SECONDS: '1' };
    const stuck: GatewayProcess = await spawnGateway({ ...env, MAILGATE_RELAY_URL: `smtp://127.0.0.1:${peer.port}` });
    cleanups.push(() => stuck.kill());
    const sent = await mcPost(stuck.url, keys, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject: 'stuck', plainBody: { content: 'x' } }] }));
    expect(sent.body.fail).toEqual([]);
    await peer.connected;

    const exited = once(stuck.child, 'exit');
    stuck.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(1);
    const released = stuck.output.map((line) => JSON.parse(line) as { msg?: string; released?: number }).find((l) => l.msg === 'delivery leases released');
    expect(released?.released).toBe(1);

    // MAILGATE_LEASE_SECONDS is the default 300: only a released lease is delivered within the wait.
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const next = await spawnGateway({ ...env, MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}` });
    cleanups.push(() => next.stop());
    const [delivered] = await sink.waitForMessages(1, 20_000);
    expect(delivered?.rcptTo).toEqual(['reader@remote.test']);
  });
});
