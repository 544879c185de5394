/**
 * The gateways under test: real `serve` processes (helpers/gateway-process.ts) on one SQLite data
 * dir (one process) or one PostgreSQL schema (several), with the load's accounts provisioned before
 * they start. A slot's process can be SIGKILLed and started again on the same data at any moment;
 * `up` is the promise of the slot's next live incarnation, which senders wait on after a failure.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecretBox } from '../../src/auth/secret-box.js';
import type { Store } from '../../src/core/storage/store.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { createPostgresSchema, queryRows } from '../helpers/backends.js';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { HOSTNAME, loadClient, provisionAccounts, type Accounts, type LoadClient } from './clients.js';

/** One live gateway process and a client bound to its ports. */
export interface Incarnation {
  process: GatewayProcess;
  client: LoadClient;
}

export interface Slot {
  current: Incarnation | undefined;
  up: Promise<Incarnation>;
}

export interface ChaosCluster {
  slots: Slot[];
  /** SIGKILLs the slot's process and starts it again at once; resolves when it listens. */
  killAndRestart(index: number): Promise<Incarnation>;
  /** The summed resident set size of the live processes, in MB. */
  rssMb(): number;
  query<T>(sql: string): Promise<T[]>;
  dispose(): Promise<void>;
}

export interface ClusterOptions {
  backend: 'sqlite' | 'postgres';
  processes: number;
  env: Record<string, string>;
}

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0; // exited between the check and the read
  }
}

export async function startCluster(options: ClusterOptions): Promise<ChaosCluster> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const masterKey = randomBytes(32).toString('base64');
  const dirs = await Promise.all(Array.from({ length: options.processes }, () => withTempDir()));
  cleanups.push(...dirs.map((d) => () => d.remove()));
  let databaseUrl: string | undefined;
  let store: Store;
  if (options.backend === 'postgres') {
    const schema = await createPostgresSchema();
    cleanups.push(() => schema.dispose());
    databaseUrl = schema.url;
    store = await openPostgresStore({ url: schema.url, poolSize: 2, connectTimeoutMs: 5_000, retryMs: 5_000 });
  } else {
    store = await openSqliteStore(dirs[0]!.dir);
  }
  let accounts: Accounts;
  try {
    accounts = await provisionAccounts(store, createSecretBox(Buffer.from(masterKey, 'base64')));
  } finally {
    await store.close();
  }

  const spawnSlot = async (index: number): Promise<Incarnation> => {
    const process = await spawnGateway({
      MAILGATE_DATA_DIR: dirs[index]!.dir,
      MAILGATE_MASTER_KEY: masterKey,
      MAILGATE_HOSTNAME: HOSTNAME,
      MAILGATE_LOCAL_DOMAINS: 'example.test',
      ...(databaseUrl ? { MAILGATE_DATABASE_URL: databaseUrl } : {}),
      ...options.env,
    });
    const port = Number(/"smtp":"[^"]*:(\d+)"/.exec(process.output.join('\n'))?.[1]);
    return { process, client: loadClient({ url: process.url, smtpPort: port }, accounts) };
  };
  const slots: Slot[] = [];
  for (let i = 0; i < options.processes; i++) {
    const incarnation = await spawnSlot(i);
    slots.push({ current: incarnation, up: Promise.resolve(incarnation) });
  }

  return {
    slots,
    killAndRestart(index) {
      const slot = slots[index]!;
      const dead = slot.current;
      slot.current = undefined;
      slot.up = (async () => {
        dead?.client.close();
        await dead?.process.kill();
        const next = await spawnSlot(index);
        slot.current = next;
        return next;
      })();
      return slot.up;
    },
    rssMb: () => Math.round(slots.reduce((sum, s) => sum + rssOf(s.current?.process.child.pid), 0)),
    query: (sql) => queryRows(databaseUrl ? { dataDir: '', databaseUrl } : { dataDir: dirs[0]!.dir, databaseUrl: undefined }, sql),
    async dispose() {
      for (const slot of slots) {
        const live = await slot.up.catch(() => undefined);
        live?.client.close();
        await live?.process.kill();
      }
      while (cleanups.length > 0) await cleanups.pop()?.();
    },
  };
}
