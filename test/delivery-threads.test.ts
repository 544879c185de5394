/**
 * Delivery on worker threads (MAILGATE_DELIVERY_THREADS, docs/delivery-threads.md): the threads
 * lease, send and settle from their own store connections, and the serving thread still sees every
 * settlement (events, metrics) and sends the failure notices.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { slotsOf } from '../src/delivery/threads/delivery-threads.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { captureLogs } from './helpers/log-capture.js';
import { mcPost } from './helpers/mimecast-client.js';
import { sample, scrape } from './helpers/prometheus.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { gatewayBackend } from './helpers/backends.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function threadedGateway(relay: SmtpSink, threads: number) {
  const logs = captureLogs();
  const gw: TestGateway = await startTestGateway(
    { MAILGATE_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, MAILGATE_DELIVERY_THREADS: String(threads), MAILGATE_WORKER_CONCURRENCY: '5' },
    undefined,
    gatewayBackend,
    { log: logs.log },
  );
  cleanups.push(() => gw.stop());
  return { gw, logs };
}

async function send(gw: TestGateway, keys: MimecastKeys, to: string[], subject: string): Promise<string> {
  const res = await mcPost(
    gw.url,
    keys,
    '/api/email/send-email',
    JSON.stringify({ data: [{ to: to.map((emailAddress) => ({ emailAddress })), subject, plainBody: { content: 'body' } }] }),
  );
  expect(res.status).toBe(200);
  expect(res.body.fail).toEqual([]);
  const internetId = String((res.body.data[0] as { messageId: string }).messageId);
  return internetId.slice(1, internetId.indexOf('@'));
}

describe('delivery threads', () => {
  it('shares the worker concurrency among the threads, each with at least one slot', () => {
    expect([0, 1, 2].map((i) => slotsOf(5, 3, i))).toEqual([2, 2, 1]);
    expect([0, 1].map((i) => slotsOf(16, 2, i))).toEqual([8, 8]);
    expect([0, 1, 2].map((i) => slotsOf(2, 3, i))).toEqual([1, 1, 1]);
  });

  it('delivers from two threads and reports every settlement to the serving thread', async () => {
    const relay = await startSmtpSink();
    cleanups.push(() => relay.close());
    const { gw, logs } = await threadedGateway(relay, 2);
    expect(logs.lines().find((l) => l.msg === 'delivery: started delivery threads')).toMatchObject({ threads: 2, slots: 5 });
    const keys = await gw.user('sender@example.test');
    const settled: string[] = [];
    const allSettled = new Promise<void>((resolve) => {
      gw.server.gateway.events.on('settled', (s) => {
        if (settled.push(`${s.status} ${s.code}`) === 8) resolve();
      });
    });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await send(gw, keys, [`reader${i}@remote.test`], `threaded ${i}`));
    await allSettled;
    const { store } = gw.server.gateway;
    for (const id of ids) {
      const kinds = (await store.listEvents(id)).map((e) => e.kind);
      expect(kinds).toEqual(['received', 'queued', 'attempt', 'delivered']);
    }
    expect(settled.filter((s) => s === 'delivered 250')).toHaveLength(8);
    const metrics = await scrape(gw.url);
    expect(sample(metrics, 'mailgate_deliveries_total', { outcome: 'delivered', transport: 'relay' })).toBe(8);
    expect(relay.messages.map((m) => m.rcptTo[0]).sort()).toEqual(ids.map((_, i) => `reader${i}@remote.test`).sort());
  });
});
