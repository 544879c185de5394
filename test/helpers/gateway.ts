/** Starts a real gateway (HTTP on 127.0.0.1:0, SQLite in a temp dir) for end-to-end tests. */
import { loadConfig } from '../../src/config/config.js';
import { addUser, createMimecastKeys, type MimecastKeys } from '../../src/auth/identity.js';
import { startServer, type RunningServer } from '../../src/main.js';
import type { Settlement } from '../../src/store/store.js';
import { withTempDir } from './temp-dir.js';

export interface TestGateway {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** Creates a user with Mimecast keys. */
  user(email: string, roles?: string[]): Promise<MimecastKeys>;
  /** Resolves with the first settlement matching the predicate (already-seen ones are not replayed). */
  nextSettlement(match: (s: Settlement) => boolean, timeoutMs?: number): Promise<Settlement>;
  stop(): Promise<void>;
}

export async function startTestGateway(env: Record<string, string> = {}, dataDir?: string): Promise<TestGateway> {
  const temp = dataDir ? undefined : await withTempDir();
  const dir = dataDir ?? (temp as { dir: string }).dir;
  const config = loadConfig({
    MAILGATE_DATA_DIR: dir,
    MAILGATE_HTTP_PORT: '0',
    MAILGATE_LOG_LEVEL: 'silent',
    MAILGATE_HOSTNAME: 'gateway.test',
    MAILGATE_LOCAL_DOMAINS: 'example.test',
    ...env,
  });
  const server = await startServer(config);
  const { store, secrets } = server.gateway;
  return {
    server,
    url: `http://127.0.0.1:${server.httpPort}`,
    dataDir: dir,
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
      await temp?.remove();
    },
  };
}
