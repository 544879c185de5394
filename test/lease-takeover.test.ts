/**
 * Leases that know their owner (docs/leases.md): a gateway SIGKILLed while its deliveries hang on
 * a relay that holds the DATA reply. With MAILGATE_LEASE_SECONDS=300, the in-flight messages are
 * redelivered within seconds: by the next start on the same SQLite data dir, by the same data dir
 * restarted on PostgreSQL, or by another live process once the dead one stops heart-beating.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { createPostgresSchema } from './helpers/backends.js';
import { spawnGateway, type GatewayProcess } from './helpers/gateway-process.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const IN_FLIGHT = 3;
/** Far below the 300 s lease: only a takeover or a reclaim delivers within it. */
const REDELIVERY_BOUND_MS = 60_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function cli(env: Record<string, string>, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, MAILGATE_LOCAL_DOMAINS: 'example.test', ...env },
  });
  return stdout;
}

async function senderKeys(env: Record<string, string>): Promise<MimecastKeys> {
  await cli(env, ['user', 'add', 'sender@example.test']);
  return JSON.parse(await cli(env, ['keys', 'create', '--user', 'sender@example.test'])) as MimecastKeys;
}

async function dataDir(): Promise<string> {
  const temp = await withTempDir();
  cleanups.push(() => temp.remove());
  return temp.dir;
}

async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
  const gw = await spawnGateway({ MAILGATE_LOCAL_DOMAINS: 'example.test', MAILGATE_LEASE_SECONDS: '300', ...env });
  cleanups.push(() => gw.kill());
  return gw;
}

/** A relay that takes each message's bytes and never answers the final dot: deliveries stay in flight. */
async function holdingRelay(): Promise<{ sink: SmtpSink; held(): number }> {
  let held = 0;
  const sink = await startSmtpSink({
    onData: () => {
      held += 1;
      return new Promise(() => undefined);
    },
  });
  cleanups.push(() => sink.close());
  return { sink, held: () => held };
}

async function recordingRelay(): Promise<SmtpSink> {
  const sink = await startSmtpSink();
  cleanups.push(() => sink.close());
  return sink;
}

/** Sends IN_FLIGHT messages through `gw` and waits until the relay holds every one mid-DATA. */
async function stallDeliveries(gw: GatewayProcess, keys: MimecastKeys, relay: { held(): number }): Promise<string[]> {
  const subjects = Array.from({ length: IN_FLIGHT }, (_, i) => `in flight ${i}`);
  for (const subject of subjects) {
    const sent = await mcPost(gw.url, keys, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject, plainBody: { content: 'x' } }] }));
    expect(sent.body.fail).toEqual([]);
  }
  await waitFor(() => relay.held() === IN_FLIGHT, 'every delivery held mid-DATA by the relay');
  return subjects;
}

function subjectsAt(sink: SmtpSink): string[] {
  return sink.messages.map((m) => /^Subject: (.*)$/m.exec(m.raw.toString())?.[1] ?? '').sort();
}

function logLine(gw: GatewayProcess, msg: string): Record<string, unknown> | undefined {
  return gw.output.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg === msg);
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

describe('delivery leases after a SIGKILL, with MAILGATE_LEASE_SECONDS=300', () => {
  it('SQLite: the next start on the same data dir releases the leases it finds and redelivers at once', { timeout: 120_000 }, async () => {
    const dir = await dataDir();
    const keys = await senderKeys({ MAILGATE_DATA_DIR: dir });
    const stuckRelay = await holdingRelay();
    const first = await gateway({ MAILGATE_DATA_DIR: dir, MAILGATE_RELAY_URL: `smtp://127.0.0.1:${stuckRelay.sink.port}` });
    const subjects = await stallDeliveries(first, keys, stuckRelay);
    await first.kill();

    const relay = await recordingRelay();
    const killedAt = Date.now();
    const next = await gateway({ MAILGATE_DATA_DIR: dir, MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    const startedAt = Date.now();
    await relay.waitForMessages(IN_FLIGHT, REDELIVERY_BOUND_MS);
    const done = Date.now();
    console.log(`SQLite: restart to first ${IN_FLIGHT} redeliveries ${seconds(done - startedAt)} s after "started" (${seconds(done - killedAt)} s after the SIGKILL, spawn included)`);
    expect(subjectsAt(relay)).toEqual(subjects);
    expect(logLine(next, 'delivery leases of the previous run reclaimed')?.reclaimed).toBe(IN_FLIGHT);
    expect(stuckRelay.held()).toBe(IN_FLIGHT);
  });
});

describe('delivery leases after a SIGKILL on PostgreSQL, with MAILGATE_LEASE_SECONDS=300', () => {
  async function database(): Promise<{ env: Record<string, string>; sql<T extends pg.QueryResultRow>(text: string): Promise<T[]> }> {
    const schema = await createPostgresSchema();
    cleanups.push(() => schema.dispose());
    const env = { MAILGATE_DATABASE_URL: schema.url, MAILGATE_MASTER_KEY: randomBytes(32).toString('base64') };
    return {
      env,
      async sql<T extends pg.QueryResultRow>(text: string) {
        const client = new pg.Client({ connectionString: schema.url });
        await client.connect();
        try {
          return (await client.query<T>(text)).rows;
        } finally {
          await client.end();
        }
      },
    };
  }

  it('another live process takes over the dead one\'s leases once it stops heart-beating, not before', { timeout: 180_000 }, async () => {
    const db = await database();
    const keys = await senderKeys({ ...db.env, MAILGATE_DATA_DIR: await dataDir() });
    const stuckRelay = await holdingRelay();
    const dirA = await dataDir();
    const doomed = await gateway({ ...db.env, MAILGATE_DATA_DIR: dirA, MAILGATE_RELAY_URL: `smtp://127.0.0.1:${stuckRelay.sink.port}` });
    const subjects = await stallDeliveries(doomed, keys, stuckRelay);
    const relay = await recordingRelay();
    const survivor = await gateway({ ...db.env, MAILGATE_DATA_DIR: await dataDir(), MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });

    // While the owner beats, its leases stay its own, over more than a takeover window (3 beats of 2 s).
    const doomedId = readFileSync(path.join(dirA, 'instance-id'), 'utf8').trim();
    const beatAt = async () => (await db.sql<{ at: string }>(`SELECT heartbeat_at AS at FROM instances WHERE id = '${doomedId}'`))[0]?.at;
    const firstBeat = Number(await beatAt());
    await waitFor(async () => Number(await beatAt()) - firstBeat > 8_000, 'the owner beating across a takeover window', 30_000);
    expect(relay.messages).toEqual([]);

    await doomed.kill();
    const killedAt = Date.now();
    await relay.waitForMessages(IN_FLIGHT, REDELIVERY_BOUND_MS);
    console.log(`PostgreSQL: live process redelivered ${IN_FLIGHT} in-flight messages ${seconds(Date.now() - killedAt)} s after the SIGKILL`);
    expect(subjectsAt(relay)).toEqual(subjects);
    expect(logLine(survivor, 'instance stopped heart-beating; its delivery leases are taken over')).toMatchObject({ instance: doomedId, released: IN_FLIGHT });

    // The dead instance is forgotten by the takeover, the survivor's row by its graceful stop.
    const instanceIds = async () => (await db.sql<{ id: string }>('SELECT id FROM instances')).map((r) => r.id);
    expect(await instanceIds()).not.toContain(doomedId);
    expect(await instanceIds()).toHaveLength(1);
    await survivor.stop();
    expect(await instanceIds()).toEqual([]);
    expect(stuckRelay.held()).toBe(IN_FLIGHT);
  });

  it('a process restarted on its data dir reclaims its own leases at once', { timeout: 120_000 }, async () => {
    const db = await database();
    const keys = await senderKeys({ ...db.env, MAILGATE_DATA_DIR: await dataDir() });
    const stuckRelay = await holdingRelay();
    const dir = await dataDir();
    const first = await gateway({ ...db.env, MAILGATE_DATA_DIR: dir, MAILGATE_RELAY_URL: `smtp://127.0.0.1:${stuckRelay.sink.port}` });
    const subjects = await stallDeliveries(first, keys, stuckRelay);
    await first.kill();

    const relay = await recordingRelay();
    const killedAt = Date.now();
    const next = await gateway({ ...db.env, MAILGATE_DATA_DIR: dir, MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    const startedAt = Date.now();
    await relay.waitForMessages(IN_FLIGHT, REDELIVERY_BOUND_MS);
    const done = Date.now();
    console.log(`PostgreSQL: restart to ${IN_FLIGHT} redeliveries ${seconds(done - startedAt)} s after "started" (${seconds(done - killedAt)} s after the SIGKILL, spawn included)`);
    expect(subjectsAt(relay)).toEqual(subjects);
    expect(logLine(next, 'delivery leases of the previous run reclaimed')?.reclaimed).toBe(IN_FLIGHT);
  });
});
