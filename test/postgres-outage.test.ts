/**
 * The database goes away while a gateway runs (connections cut and refused by a TCP proxy in front
 * of the real PostgreSQL): accepted mail is not lost, requests wait and retry with backoff, and a
 * request that cannot commit in time is answered 503, never 2xx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postgresBehindProxy } from './helpers/backends.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink } from './helpers/smtp-sink.js';
import { waitFor } from './helpers/wait-for.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function gateway(env: Record<string, string>): Promise<TestGateway> {
  const gw = await startTestGateway(env);
  cleanups.push(() => gw.stop());
  return gw;
}

const body = (subject: string) =>
  JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject, plainBody: { content: 'during an outage' } }] });

describe('a PostgreSQL outage while running', () => {
  it('holds requests until the database is back, then answers 200 and delivers every message once', async () => {
    const { url, proxy } = await postgresBehindProxy(cleanups);
    const relay = await startSmtpSink();
    cleanups.push(() => relay.close());
    const gw = await gateway({
      MAILGATE_DATABASE_URL: url,
      MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      MAILGATE_DATABASE_RETRY_SECONDS: '60',
    });
    const keys = await gw.user('sender@example.test');
    expect((await mcPost(gw.url, keys, '/api/email/send-email', body('before'))).status).toBe(200);
    await relay.waitForMessages(1);

    proxy.cut();
    let answered = 0;
    const during = Array.from({ length: 5 }, (_, i) =>
      mcPost(gw.url, keys, '/api/email/send-email', body(`during-${i}`)).finally(() => (answered += 1)),
    );
    // The gateway keeps trying to reconnect (each refused attempt is counted by the proxy).
    await waitFor(() => proxy.refused >= 10, 'reconnection attempts during the outage');
    expect(answered).toBe(0);
    proxy.restore();

    const responses = await Promise.all(during);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const messages = await relay.waitForMessages(6);
    const subjects = messages.map((m) => /^Subject: (.*)$/m.exec(m.raw.toString())?.[1]).sort();
    expect(subjects).toEqual(['before', 'during-0', 'during-1', 'during-2', 'during-3', 'during-4']);
  });

  it('answers 503 (not 2xx) when the database stays away longer than the retry time, and recovers after', async () => {
    const { url, proxy } = await postgresBehindProxy(cleanups);
    const gw = await gateway({ MAILGATE_DATABASE_URL: url, MAILGATE_DATABASE_RETRY_SECONDS: '1' });
    const keys = await gw.user('sender@example.test');
    proxy.cut();
    const refused = await mcPost(gw.url, keys, '/api/email/send-email', body('lost cause'));
    expect(refused.status).toBe(503);
    expect(refused.body.fail[0]?.errors[0]?.retryable).toBe(true);
    proxy.restore();
    const later = await mcPost(gw.url, keys, '/api/email/send-email', body('after'));
    expect(later.status).toBe(200);
    expect(await gw.countRows('messages')).toBe(1);
  });
});
