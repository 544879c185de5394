/**
 * Two gateway processes on one PostgreSQL database dispatch webhooks from the same event log:
 * each event reaches the receiver once (issue 14 part 2; the endpoint lease of docs/webhooks.md).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { addUser, createMimecastKeys } from '../src/auth/identity.js';
import { createSecretBox } from '../src/auth/secret-box.js';
import { systemClock } from '../src/core/ports.js';
import { createWebhookSubscriptions } from '../src/services/webhooks/subscriptions.js';
import { openPostgresStore } from '../src/store/postgres/store.js';
import { createPostgresSchema } from './helpers/backends.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { mcPost } from './helpers/mimecast-client.js';
import { withTempDir } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('webhooks from two gateway processes on one PostgreSQL database', () => {
  it('send every event exactly once', { timeout: 180_000 }, async () => {
    const MESSAGES = 12;
    const schema = await createPostgresSchema();
    cleanups.push(() => schema.dispose());
    const masterKey = randomBytes(32).toString('base64');
    const secrets = createSecretBox(Buffer.from(masterKey, 'base64'));
    const store = await openPostgresStore({ url: schema.url, poolSize: 2, connectTimeoutMs: 5_000, retryMs: 5_000 });
    cleanups.push(() => store.close());
    await addUser(store, { email: 'sender@example.test' });
    const keys = await createMimecastKeys(store, secrets, { email: 'sender@example.test' });
    const hooks = await startWebhookReceiver();
    cleanups.push(() => hooks.close());
    const webhooks = createWebhookSubscriptions({ store, secrets, clock: systemClock });
    await webhooks.add({ url: hooks.url }, 'test');

    const procs = await Promise.all(
      [0, 1].map(async () => {
        const temp = await withTempDir();
        cleanups.push(() => temp.remove());
        const gw = await spawnGateway({
          MAILGATE_DATA_DIR: temp.dir,
          MAILGATE_DATABASE_URL: schema.url,
          MAILGATE_MASTER_KEY: masterKey,
          MAILGATE_LOCAL_DOMAINS: 'example.test',
          MAILGATE_WEBHOOK_POLL_MS: '20',
        });
        cleanups.push(() => gw.stop());
        return gw;
      }),
    );
    // Sent concurrently to both processes, so both write events and both dispatchers see them.
    await Promise.all(
      Array.from({ length: MESSAGES }, async (_, i) => {
        const body = JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject: `multi ${i}`, plainBody: { content: 'body' } }] });
        const res = await mcPost(procs[i % 2]?.url as string, keys, '/api/email/send-email', body);
        expect(res.body.fail).toEqual([]);
      }),
    );

    await waitFor(() => hooks.accepted.length >= 2 * MESSAGES, 'an acceptance and a delivery per message', 60_000);
    // Settled: nothing left to send and no process holding the endpoint, so no POST is in flight.
    await waitFor(async () => (await webhooks.backlog()) === 0 && (await webhooks.list()).length === 1, 'an empty backlog');
    await waitFor(async () => {
      const [row] = await store.listWebhookEndpoints();
      return row !== undefined && (await store.claimWebhookEndpoint(row.id, 'test-probe', Date.now(), Date.now())) !== undefined;
    }, 'the endpoint lease free');
    const ids = hooks.accepted.map((h) => h.body.id);
    expect(hooks.arrived).toBe(2 * MESSAGES);
    expect(new Set(ids).size).toBe(2 * MESSAGES);
    const perMessage = new Map<string, string[]>();
    for (const { body } of hooks.accepted) perMessage.set(body.data.messageId, [...(perMessage.get(body.data.messageId) ?? []), body.type]);
    expect([...perMessage.values()]).toEqual(Array(MESSAGES).fill(['message.accepted', 'message.delivered']));
  });
});
