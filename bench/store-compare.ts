/**
 * SQLite vs PostgreSQL on the spine's send path, and one to three gateway processes on one
 * PostgreSQL database. Each run: fresh database, gateways as real child processes (`serve`),
 * N Mimecast send-email calls at fixed concurrency spread round-robin over the processes, relayed
 * over SMTP (DKIM on) to a loopback sink. Prints accepted/s, delivered/s, p50/p99 accept latency.
 *   npx tsx bench/store-compare.ts [--count 2000] [--concurrency 16] [--size 5000] [--processes 1,2,3]
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { addUser, createMimecastKeys, type MimecastKeys } from '../src/auth/identity.js';
import { createSecretBox } from '../src/auth/secret-box.js';
import { loadConfig } from '../src/config/config.js';
import { generateDkimKey } from '../src/mime/dkim-keys.js';
import { openStore } from '../src/store/open-store.js';
import { createPostgresSchema } from '../test/helpers/backends.js';
import { spawnGateway } from '../test/helpers/gateway-process.js';
import { mcPost } from '../test/helpers/mimecast-client.js';
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import { withTempDir } from '../test/helpers/temp-dir.js';
import { runClosedLoop } from './lib/closed-loop.js';
import { percentile } from './lib/report.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    size: { type: 'string', default: '5000' },
    processes: { type: 'string', default: '1,2,3' },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const body = 'x'.repeat(Number(values.size));
const payload = JSON.stringify({
  data: [{ to: [{ emailAddress: 'sink@remote.test' }], subject: 'bench', plainBody: { content: body } }],
});

/** A fresh database with a sender, its keys and a DKIM key, all sealed with `masterKey`. */
async function prepare(dataDir: string, env: Record<string, string>, masterKey: string): Promise<MimecastKeys> {
  const store = await openStore(loadConfig({ MAILGATE_DATA_DIR: dataDir, ...env }));
  const secrets = createSecretBox(Buffer.from(masterKey, 'base64'));
  try {
    const key = generateDkimKey('rsa-sha256');
    await store.putDkimKey({
      domain: 'example.test',
      selector: 'bench',
      algorithm: 'rsa-sha256',
      privateKeyEnc: secrets.seal(key.privateKeyPem),
      publicKey: key.publicKey,
      createdAt: Date.now(),
    });
    await addUser(store, { email: 'bench@example.test' });
    return await createMimecastKeys(store, secrets, { email: 'bench@example.test' });
  } finally {
    await store.close();
  }
}

async function measure(backend: 'sqlite' | 'postgres', processes: number): Promise<Record<string, string | number>> {
  const sink = await startSmtpSink();
  const temp = await withTempDir();
  const schema = backend === 'postgres' ? await createPostgresSchema() : undefined;
  const env: Record<string, string> = schema ? { MAILGATE_DATABASE_URL: schema.url } : {};
  const masterKey = randomBytes(32).toString('base64');
  const keys = await prepare(temp.dir, env, masterKey);
  const gateways = await Promise.all(
    Array.from({ length: processes }, () =>
      spawnGateway({
        ...env,
        // SQLite needs the one data dir; PostgreSQL processes share nothing but the database.
        MAILGATE_DATA_DIR: temp.dir,
        MAILGATE_MASTER_KEY: masterKey,
        MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
        MAILGATE_RATE_LIMIT_PER_MINUTE: '10000000',
        MAILGATE_LOCAL_DOMAINS: 'example.test',
      }),
    ),
  );
  const { latencies, failures, startedAt: started, finishedAt: acceptedAt } = await runClosedLoop(count, concurrency, async (seq) => {
    const res = await mcPost(gateways[seq % processes]!.url, keys, '/api/email/send-email', payload);
    return res.status === 200 && res.body.fail.length === 0;
  });
  await sink.waitForMessages(count - failures, 600_000);
  const deliveredAt = performance.now();
  await Promise.all(gateways.map((g) => g.stop()));
  await sink.close();
  await schema?.dispose();
  await temp.remove();
  return {
    backend,
    processes,
    messages: count,
    failures,
    'accepted/s': ((count / (acceptedAt - started)) * 1000).toFixed(0),
    'delivered/s': (((count - failures) / (deliveredAt - started)) * 1000).toFixed(0),
    'p50 accept ms': (percentile(latencies, 50) ?? NaN).toFixed(1),
    'p99 accept ms': (percentile(latencies, 99) ?? NaN).toFixed(1),
  };
}

const rows = [await measure('sqlite', 1)];
for (const n of values.processes.split(',').map(Number)) rows.push(await measure('postgres', n));
console.table(rows);
