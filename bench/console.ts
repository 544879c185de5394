/**
 * console: fills a fresh store with 100,000 messages spread over the last 7 days (delivered,
 * deferred, bounced and held, from every way in), then times each console page's admin API calls
 * over HTTPS with a signed-in session, as the browser makes them. Prints a Markdown table.
 *
 *   npx tsx bench/console.ts [--count 100000] [--runs 20] [--postgres postgres://…]
 *
 * Not part of `npm test`; issue 13 asks every page to answer in under 1 s at 100,000 messages.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addUser } from '../src/auth/identity.js';
import { setUserPassword } from '../src/auth/passwords.js';
import { loadConfig } from '../src/config/config.js';
import { newId } from '../src/core/ids.js';
import type { NewEvent, NewMessage, NewRecipient } from '../src/core/ports.js';
import { startServer } from '../src/main.js';
import { percentile } from './lib/report.js';
import { trustingFetch } from '../test/helpers/tls-fetch.js';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '100000' }, runs: { type: 'string', default: '20' }, postgres: { type: 'string' } },
});
const COUNT = Number(values.count);
const RUNS = Number(values.runs);
const WEEK = 7 * 86_400_000;
const SOURCES = ['mimecast', 'graph', 'works', 'smtp'] as const;
const OUTCOMES = ['delivered', 'delivered', 'delivered', 'delivered', 'deferred', 'bounced', 'held'] as const;

const RAW = Buffer.from('From: a@remote.test\r\nTo: b@example.test\r\nSubject: bench\r\n\r\nA message body for the console bench.\r\n');

function message(i: number, now: number, blobKey: string): NewMessage {
  const receivedAt = now - Math.floor(((i * 7919) % COUNT) * (WEEK / COUNT));
  const id = newId(receivedAt);
  const outcome = OUTCOMES[i % OUTCOMES.length] as (typeof OUTCOMES)[number];
  const recipientId = newId(receivedAt);
  const recipient: NewRecipient = {
    id: recipientId,
    address: `reader${i % 500}@remote.test`,
    domain: 'remote.test',
    kind: 'to',
    transport: 'relay',
    status: outcome === 'delivered' || outcome === 'bounced' ? 'queued' : outcome,
    nextAttemptAt: receivedAt,
  };
  const events: NewEvent[] = [{ messageId: id, kind: 'received', at: receivedAt, detail: { source: SOURCES[i % 4] } }];
  events.push({ messageId: id, recipientId, kind: outcome === 'held' ? 'held' : 'queued', at: receivedAt, detail: {} });
  if (outcome !== 'held') {
    events.push({ messageId: id, recipientId, kind: 'attempt', at: receivedAt + 500, detail: { remoteHost: 'mx.remote.test', code: 250, reply: 'ok' } });
    events.push({ messageId: id, recipientId, kind: outcome, at: receivedAt + 500, detail: {} });
  }
  return {
    id,
    internetMessageId: `<${id}@bench.test>`,
    source: SOURCES[i % 4] as string,
    route: 'outbound',
    userId: null,
    mailFrom: `sender${i % 1000}@example.test`,
    fromHeader: `Sender ${i % 1000} <sender${i % 1000}@example.test>`,
    subject: `bench message ${i} about topic ${i % 97}`,
    size: RAW.length,
    blobKey,
    receivedAt,
    expiresAt: receivedAt + WEEK,
    meta: {},
    events,
    recipients: [recipient],
    ...(outcome === 'held'
      ? {
          hold: {
            decision: { policyId: 'bench', policyInfo: 'Bench policy', reason: 'bench', reasonId: 'BENCH', reasonCode: 'bench', heldGroup: 'admin' },
            hasAttachments: false,
            toAddress: recipient.address,
            heldAt: receivedAt,
            expiresAt: now + WEEK,
          },
        }
      : {}),
  } as NewMessage;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mailgate-console-bench-'));
  const config = loadConfig({
    MAILGATE_DATA_DIR: dir,
    MAILGATE_HTTP_PORT: '0',
    MAILGATE_HTTPS_PORT: '0',
    MAILGATE_SMTP_PORT: '0',
    MAILGATE_LOG_LEVEL: 'silent',
    MAILGATE_WORKER_CONCURRENCY: '0',
    ...(values.postgres ? { MAILGATE_DATABASE_URL: values.postgres } : {}),
  });
  const server = await startServer(config);
  const { store } = server.gateway;
  try {
    const blobKey = `bench-${randomUUID()}`;
    await store.blobs.put(blobKey, RAW);
    const now = Date.now();
    const filling = Date.now();
    for (let i = 0; i < COUNT; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, COUNT - i) }, (_, j) => store.acceptMessage(message(i + j, now, blobKey))));
    }
    console.log(`filled ${COUNT} messages in ${((Date.now() - filling) / 1000).toFixed(1)} s (${values.postgres ? 'PostgreSQL' : 'SQLite'})`);

    const user = await addUser(store, { email: 'bench@example.test', roles: ['admin'] });
    await setUserPassword(store, user.id, 'bench password');
    const fetch = trustingFetch(server.certFile);
    const base = `https://127.0.0.1:${server.httpsPort}/admin/api`;
    const signIn = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.test', password: 'bench password' }),
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    const get = (p: string) => fetch(base + p, { headers });
    const post = (p: string, body: unknown) => fetch(base + p, { method: 'POST', headers, body: JSON.stringify(body) });
    const week = new Date(now - WEEK).toISOString();
    const first = (await (await post('/tracking/search', { start: week, pageSize: 50 })).json()) as { items: Array<{ id: string }>; nextPageToken: string };
    const someId = first.items[0]?.id as string;

    const calls: Array<[string, string, () => Promise<Response>]> = [
      ['Overview', 'GET /overview', () => get('/overview')],
      ['Messages', 'search, 7 days, first page of 50', () => post('/tracking/search', { start: week, pageSize: 50 })],
      ['Messages', 'search, 7 days, next page', () => post('/tracking/search', { start: week, pageSize: 50, pageToken: first.nextPageToken })],
      ['Messages', 'search, 7 days, oldest first', () => post('/tracking/search', { start: week, pageSize: 50, order: 'asc' })],
      ['Messages', 'search by subject substring', () => post('/tracking/search', { start: week, subject: 'topic 42', pageSize: 50 })],
      ['Messages', 'search by status + dialect', () => post('/tracking/search', { start: week, status: 'bounced', dialect: 'graph', pageSize: 50 })],
      ['Messages', 'search by recipient', () => post('/tracking/search', { start: week, to: 'reader7@remote.test', pageSize: 50 })],
      ['Message', 'GET /tracking/messages/:id', () => get(`/tracking/messages/${someId}`)],
      ['Message', 'GET …/raw', () => get(`/tracking/messages/${someId}/raw`)],
      ['Held', 'GET /held (25, with previews)', () => get('/held?limit=25')],
      ['Held', 'GET /held/log', () => get('/held/log')],
      ['all', 'GET /session', () => get('/session')],
    ];
    console.log(`\n| page | call | median ms | p95 ms | max ms |\n| --- | --- | ---: | ---: | ---: |`);
    for (const [page, name, run] of calls) {
      const times: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const started = performance.now();
        const res = await run();
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
        times.push(performance.now() - started);
      }
      const f = (v: number | undefined) => (v ?? NaN).toFixed(1);
      console.log(`| ${page} | ${name} | ${f(percentile(times, 50))} | ${f(percentile(times, 95))} | ${f(Math.max(...times))} |`);
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
