/**
 * Several gateway processes on one PostgreSQL database (issue 7): real child processes, a real SMTP
 * sink, one process SIGKILLed mid-run; shared rate limits; cross-process wake-up; migrations.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { addUser, createMimecastKeys, type MimecastKeys } from '../src/auth/identity.js';
import { createSecretBox } from '../src/auth/secret-box.js';
import { openPostgresStore } from '../src/store/postgres/store.js';
import { createPostgresSchema } from './helpers/backends.js';
import { spawnGateway, type GatewayProcess } from './helpers/gateway-process.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Cluster {
  url: string;
  masterKey: string;
  keys: MimecastKeys;
  sql<T extends pg.QueryResultRow>(text: string): Promise<T[]>;
}

/** A fresh schema with one sender and its Mimecast keys, sealed with a master key all processes share. */
async function cluster(): Promise<Cluster> {
  const schema = await createPostgresSchema();
  cleanups.push(() => schema.dispose());
  const masterKey = randomBytes(32).toString('base64');
  const store = await openPostgresStore({ url: schema.url, poolSize: 2, connectTimeoutMs: 5_000, retryMs: 5_000 });
  await addUser(store, { email: 'sender@example.test' });
  const keys = await createMimecastKeys(store, createSecretBox(Buffer.from(masterKey, 'base64')), { email: 'sender@example.test' });
  await store.close();
  return {
    url: schema.url,
    masterKey,
    keys,
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

async function gateways(c: Cluster, count: number, env: Record<string, string>): Promise<GatewayProcess[]> {
  const started = await Promise.all(
    Array.from({ length: count }, async () => {
      const temp = await withTempDir();
      cleanups.push(() => temp.remove());
      const gw = await spawnGateway({
        MAILGATE_DATA_DIR: temp.dir,
        MAILGATE_DATABASE_URL: c.url,
        MAILGATE_MASTER_KEY: c.masterKey,
        MAILGATE_LOCAL_DOMAINS: 'example.test',
        ...env,
      });
      cleanups.push(() => gw.kill());
      return gw;
    }),
  );
  return started;
}

async function sink(): Promise<SmtpSink> {
  const s = await startSmtpSink();
  cleanups.push(() => s.close());
  return s;
}

function sendBody(subject: string): string {
  return JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject, plainBody: { content: `body of ${subject}` } }] });
}

function messageIdOf(raw: Buffer): string {
  const match = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw.toString('latin1'));
  if (!match?.[1]) throw new Error('a delivered message has no Message-ID');
  return match[1];
}

describe('three gateway processes on one PostgreSQL database', () => {
  it('deliver 5,000 messages sent round-robin, one process SIGKILLed mid-run: none lost, duplicates counted', { timeout: 600_000 }, async () => {
    const TOTAL = 5_000;
    const KILL_AT = 1_500;
    const c = await cluster();
    const relay = await sink();
    const procs = await gateways(c, 3, {
      MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      // Short enough for the dead process's leases to be taken over within the test, long enough
      // that a busy live process finishes its transaction well inside its lease.
      MAILGATE_LEASE_SECONDS: '5',
      MAILGATE_RATE_LIMIT_PER_MINUTE: '10000000',
    });
    const alive = [true, true, true];
    const accepted = new Map<string, number>();
    let unanswered = 0;
    let next = 0;
    let killed: Promise<void> | undefined;

    async function sendOne(seq: number): Promise<void> {
      // Round-robin; a request to the dead process (or cut by its death) goes to the next live one.
      for (let target = seq % 3; ; target = (target + 1) % 3) {
        if (!alive[target]) continue;
        try {
          const res = await mcPost(procs[target]!.url, c.keys, '/api/email/send-email', sendBody(`mp-${seq}`));
          if (res.status === 200 && res.body.fail.length === 0) {
            accepted.set(res.body.data[0]!.messageId as string, seq);
            return;
          }
          throw new Error(`status ${res.status}`);
        } catch {
          unanswered += 1;
          if (alive.every((a, i) => !a || i === target)) throw new Error('no live gateway left');
        }
      }
    }

    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (next < TOTAL) {
          const seq = next++;
          await sendOne(seq);
          if (accepted.size >= KILL_AT && !killed) {
            alive[1] = false;
            killed = procs[1]!.kill();
          }
        }
      }),
    );
    await killed;
    expect(accepted.size).toBe(TOTAL);

    await waitFor(() => {
      const seen = new Set(relay.messages.map((m) => messageIdOf(m.raw)));
      return [...accepted.keys()].every((id) => seen.has(id));
    }, 'every accepted message at the sink', 300_000);
    // The sink is complete; settle records may trail it by a commit.
    await waitFor(
      async () => (await c.sql<{ n: number }>("SELECT count(*)::int AS n FROM recipients WHERE status <> 'delivered'"))[0]?.n === 0,
      'every recipient settled as delivered',
      60_000,
    );

    const deliveries = new Map<string, number>();
    for (const m of relay.messages) deliveries.set(messageIdOf(m.raw), (deliveries.get(messageIdOf(m.raw)) ?? 0) + 1);
    const lost = [...accepted.keys()].filter((id) => !deliveries.has(id));
    const duplicates = [...deliveries.values()].reduce((sum, n) => sum + (n - 1), 0);
    // Committed but unanswered because the process died after its commit: delivered, never acknowledged.
    const unacknowledged = [...deliveries.keys()].filter((id) => !accepted.has(id)).length;
    const [stored] = await c.sql<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    console.log(
      `multi-process run: ${TOTAL} accepted, ${relay.messages.length} deliveries, ${deliveries.size} distinct, ` +
        `${duplicates} duplicates, ${lost.length} lost, ${unacknowledged} committed-but-unanswered, ${unanswered} failed requests retried`,
    );
    expect(lost).toEqual([]);
    expect(Math.max(...deliveries.values())).toBeLessThanOrEqual(2);
    expect(stored?.n).toBe(TOTAL + unacknowledged);
    expect(relay.messages.every((m) => m.rcptTo.join() === 'reader@remote.test')).toBe(true);
  });

  it('share one rate limit per access key across processes', async () => {
    const c = await cluster();
    const procs = await gateways(c, 2, { MAILGATE_RATE_LIMIT_PER_MINUTE: '10', MAILGATE_DELIVERY: 'capture' });
    const statuses: number[] = [];
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 16; i++) {
      const res = await mcPost(procs[i % 2]!.url, c.keys, '/api/email/send-email', sendBody(`limited-${i}`));
      statuses.push(res.status);
      remaining.push(res.headers.get('x-ratelimit-remaining'));
    }
    expect(statuses).toEqual([...Array<number>(10).fill(200), ...Array<number>(6).fill(429)]);
    expect(remaining.slice(0, 10)).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    const [stored] = await c.sql<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(stored?.n).toBe(10);
  });

  it('deliver at once mail that another process accepted (woken by NOTIFY, not by the 30 s poll)', async () => {
    const c = await cluster();
    const relay = await sink();
    const env = { MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}` };
    const [deliverer] = await gateways(c, 1, env);
    const [acceptor] = await gateways(c, 1, { ...env, MAILGATE_WORKER_CONCURRENCY: '0' });
    expect(deliverer).toBeDefined();
    const res = await mcPost(acceptor!.url, c.keys, '/api/email/send-email', sendBody('woken'));
    expect(res.status).toBe(200);
    const startedWaiting = Date.now();
    // The deliverer found nothing at start and sleeps up to 30 s; only a notification wakes it sooner.
    await relay.waitForMessages(1, 10_000);
    expect(Date.now() - startedWaiting).toBeLessThan(10_000);
    expect(relay.messages[0]?.raw.toString()).toContain('Subject: woken');
  });
});

describe('held messages across processes', () => {
  it('are released or rejected on one process after another received them; the release is delivered', async () => {
    const c = await cluster();
    const setup = await openPostgresStore({ url: c.url, poolSize: 1, connectTimeoutMs: 5_000, retryMs: 5_000 });
    await setup.putPolicy(
      {
        id: 'hold-marked',
        name: 'Hold marked outbound mail',
        kind: 'content',
        enabled: true,
        routes: ['outbound'],
        heldGroup: 'admin',
        position: 1,
        params: { pattern: 'hold me', target: 'subject' },
      },
      Date.now(),
    );
    await addUser(setup, { email: 'reviewer@example.test', roles: ['held-reviewer'] });
    const reviewer = await createMimecastKeys(setup, createSecretBox(Buffer.from(c.masterKey, 'base64')), { email: 'reviewer@example.test' });
    await setup.close();
    const relay = await sink();
    const env = { MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}` };
    // The receiving process delivers; the reviewing one does not, so the release must wake the other.
    const [receiver] = await gateways(c, 1, env);
    const [review] = await gateways(c, 1, { ...env, MAILGATE_WORKER_CONCURRENCY: '0' });

    for (const subject of ['hold me: release', 'hold me: reject']) {
      expect((await mcPost(receiver!.url, c.keys, '/api/email/send-email', sendBody(subject))).status).toBe(200);
    }
    const held = await c.sql<{ id: string; subject: string }>(
      "SELECT m.id, m.subject FROM holds h JOIN messages m ON m.id = h.message_id WHERE h.status = 'held' ORDER BY m.subject",
    );
    expect(held.map((h) => h.subject)).toEqual(['hold me: reject', 'hold me: release']);
    const [toReject, toRelease] = held;

    const released = await mcPost(review!.url, reviewer, '/api/gateway/hold-release', JSON.stringify({ data: [{ id: toRelease!.id }] }));
    expect(released.status).toBe(200);
    expect(released.body.data).toEqual([{ id: toRelease!.id, release: true }]);
    const rejected = await mcPost(review!.url, reviewer, '/api/gateway/hold-reject', JSON.stringify({ data: [{ ids: [toReject!.id] }] }));
    expect(rejected.status).toBe(200);
    expect(rejected.body.fail).toEqual([]);
    // A second reviewer on the receiving process finds the decision already taken.
    const again = await mcPost(receiver!.url, reviewer, '/api/gateway/hold-release', JSON.stringify({ data: [{ id: toRelease!.id }] }));
    expect(again.body.fail).toHaveLength(1);

    const [delivered] = await relay.waitForMessages(1, 10_000);
    expect(delivered?.raw.toString()).toContain('Subject: hold me: release');
    await waitFor(
      async () =>
        (await c.sql<{ status: string }>(`SELECT status FROM recipients WHERE message_id = '${toRelease!.id}'`))[0]?.status === 'delivered',
      'the released recipient settled',
    );
    const [rejectedRecipient] = await c.sql<{ status: string }>(`SELECT status FROM recipients WHERE message_id = '${toReject!.id}'`);
    expect(rejectedRecipient?.status).toBe('rejected');
    expect(relay.messages).toHaveLength(1);
  });
});

describe('PostgreSQL at start', () => {
  it('exits non-zero with a clear message when the database is unreachable', async () => {
    const closed = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const temp = await withTempDir();
    cleanups.push(() => temp.remove());
    const failed = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: root,
      env: { ...process.env, MAILGATE_DATA_DIR: temp.dir, MAILGATE_DATABASE_URL: `postgres://mailgate:secret@127.0.0.1:${port}/mail` },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`mailgate: cannot reach PostgreSQL at postgres://mailgate:***@127.0.0.1:${port}/mail`);
    expect(failed?.stderr).toContain('ECONNREFUSED');
    expect(failed?.stderr).not.toContain('secret');
  });

  it('is migrated exactly once by concurrent `mailgate migrate` runs, and a later run has nothing to do', async () => {
    const schema = await createPostgresSchema();
    cleanups.push(() => schema.dispose());
    const migrate = async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'migrate'], {
        cwd: root,
        env: { ...process.env, MAILGATE_DATABASE_URL: schema.url },
      });
      return JSON.parse(stdout) as { backend: string; applied: string[] };
    };
    const runs = await Promise.all([migrate(), migrate(), migrate()]);
    const applied = runs.flatMap((r) => r.applied);
    expect(runs.every((r) => r.backend === 'postgres')).toBe(true);
    const files = (await readdir(path.join(root, 'src/store/migrations/postgres'))).filter((n) => n.endsWith('.sql'));
    expect(applied.sort()).toEqual(files.sort());
    expect((await migrate()).applied).toEqual([]);
  });
});
