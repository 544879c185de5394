/** Starts a real gateway (HTTP on 127.0.0.1:0, SQLite in a temp dir or a fresh PostgreSQL schema) for end-to-end tests. */
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/core/ports.js';
import { addUser, createMimecastKeys, type MimecastKeys } from '../../src/auth/identity.js';
import { startServer, type RunningServer } from '../../src/main.js';
import type { Settlement } from '../../src/core/storage/store.js';
import { countRows, gatewayBackend, type Backend } from './backends.js';
import { withTempDir } from './temp-dir.js';
import { trustingFetch, type Fetch } from './tls-fetch.js';

export interface TestGateway {
  server: RunningServer;
  url: string;
  /** `https://127.0.0.1:<MAILGATE_HTTPS_PORT>`: the same routes over TLS. */
  httpsUrl: string;
  /** The PEM certificate HTTPS clients trust (generated into `<data>/tls/` unless configured). */
  caFile: string;
  /** fetch trusting `caFile`, for `httpsUrl` and the LINE WORKS port. */
  tlsFetch: Fetch;
  dataDir: string;
  /** Creates a user with Mimecast keys. */
  user(email: string, roles?: string[]): Promise<MimecastKeys>;
  /** The env that points another gateway or a CLI run at this gateway's database (empty on SQLite: use dataDir). */
  databaseEnv: Record<string, string>;
  /** Rows in one table, read directly from the gateway's database. */
  countRows(table: string): Promise<number>;
  /** Resolves with the first settlement matching the predicate (already-seen ones are not replayed). */
  nextSettlement(match: (s: Settlement) => boolean, timeoutMs?: number): Promise<Settlement>;
  stop(): Promise<void>;
}

/**
 * `backend` picks the store; on PostgreSQL a fresh schema is created and dropped at stop() unless
 * `env` already names a database (to restart on the same data, pass the first one's env).
 */
export async function startTestGateway(
  env: Record<string, string> = {},
  dataDir?: string,
  backend: Backend = gatewayBackend,
  options: { log?: Logger; clock?: Clock } = {},
): Promise<TestGateway> {
  const temp = dataDir ? undefined : await withTempDir();
  const dir = dataDir ?? (temp as { dir: string }).dir;
  const database = env.MAILGATE_DATABASE_URL ? undefined : await backend.database();
  const config = loadConfig({
    ...database?.env,
    MAILGATE_DATA_DIR: dir,
    MAILGATE_HTTP_PORT: '0',
    MAILGATE_HTTPS_PORT: '0',
    MAILGATE_SMTP_PORT: '0',
    MAILGATE_LOG_LEVEL: 'silent',
    MAILGATE_HOSTNAME: 'gateway.test',
    MAILGATE_LOCAL_DOMAINS: 'example.test',
    // In-process delivery: tests read its logs and move its clock (delivery threads: delivery-threads.test.ts).
    MAILGATE_DELIVERY_THREADS: '0',
    ...env,
  });
  const server = await startServer(config, options);
  const { store, secrets } = server.gateway;
  return {
    server,
    url: `http://127.0.0.1:${server.httpPort}`,
    httpsUrl: `https://127.0.0.1:${server.httpsPort}`,
    caFile: server.certFile,
    tlsFetch: trustingFetch(server.certFile),
    dataDir: dir,
    databaseEnv: config.databaseUrl ? { MAILGATE_DATABASE_URL: config.databaseUrl } : {},
    countRows: (table) => countRows(config, table),
    async user(email, roles = ['user']) {
      await addUser(store, { email, roles });
      return createMimecastKeys(store, secrets, { email });
    },
    nextSettlement(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          server.gateway.events.off('settled', listener);
          reject(new Error('no matching settlement'));
        }, timeoutMs);
        const listener = (s: Settlement) => {
          if (!match(s)) return;
          clearTimeout(timer);
          server.gateway.events.off('settled', listener);
          resolve(s);
        };
        server.gateway.events.on('settled', listener);
      });
    },
    async stop() {
      await server.close();
      await database?.dispose();
      await temp?.remove();
    },
  };
}
