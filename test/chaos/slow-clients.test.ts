/**
 * Slow clients (issue 17): hundreds of connections (a few dozen in the short version) sending a
 * byte a second to the HTTP and SMTP listeners while normal clients keep being answered through
 * every dialect; and the documented timeouts and caps (docs/request-limits.md#slow-clients) acting.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { DIALECTS, loadClient, provisionAccounts, type LoadClient } from './clients.js';
import { publish } from './report.js';
import { LONG } from './scenarios.js';

const SLOW_PER_PROTOCOL = LONG ? 300 : 30;
/** Normal requests per dialect while the slow clients trickle. */
const NORMAL_PER_DIALECT = LONG ? 50 : 5;

/** A connection that writes `text` one byte at a time: the first at once, the rest on a shared one-second tick. */
interface Trickle {
  socket: net.Socket;
  text: string;
  sent: number;
  closed: boolean;
}

async function openTrickles(port: number, count: number, text: string): Promise<Trickle[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      // The first byte goes at once: every slow connection is mid-request before the normal clients start.
      socket.write(text[0] as string);
      const trickle: Trickle = { socket, text, sent: 1, closed: false };
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.once('close', () => (trickle.closed = true));
      return trickle;
    }),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

describe('slow clients', () => {
  let sink: SmtpSink;
  let gw: TestGateway;
  let client: LoadClient;

  beforeAll(async () => {
    sink = await startSmtpSink();
    gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAILGATE_RATE_LIMIT_PER_MINUTE: '1000000' });
    client = loadClient({ url: gw.url, smtpPort: gw.server.smtpPort }, await provisionAccounts(gw.server.gateway.store, gw.server.gateway.secrets));
  });
  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await sink?.close();
  });

  it(`answer normal clients of every dialect while ${SLOW_PER_PROTOCOL} HTTP and ${SLOW_PER_PROTOCOL} SMTP connections send a byte a second`, { timeout: 300_000 }, async () => {
    const request = `POST /api/email/send-email HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
    const slow = [...(await openTrickles(gw.server.httpPort, SLOW_PER_PROTOCOL, request)), ...(await openTrickles(gw.server.smtpPort, SLOW_PER_PROTOCOL, 'EHLO slow.test\r\nNOOP\r\n'))];
    // The trickle is the load itself, not a wait: one byte per connection per second.
    const tick = setInterval(() => {
      for (const t of slow) if (!t.closed && t.sent < t.text.length) t.socket.write(t.text[t.sent++] as string);
    }, 1000);
    const latencies: number[] = [];
    const answers: boolean[] = [];
    try {
      for (let round = 0; round < NORMAL_PER_DIALECT; round++) {
        for (const dialect of DIALECTS) {
          const started = performance.now();
          answers.push((await client.send(dialect, `chaos-normal-${dialect}-${round}`)).accepted);
          latencies.push(performance.now() - started);
        }
      }
    } finally {
      clearInterval(tick);
    }
    const open = slow.filter((t) => !t.closed).length;
    const bytes = slow.reduce((sum, t) => sum + t.sent, 0);
    for (const t of slow) t.socket.destroy();

    latencies.sort((a, b) => a - b);
    const ms = (p: number) => percentile(latencies, p).toFixed(0);
    publish(
      `slow clients (${LONG ? 'long' : 'short'} version)`,
      [
        '| slow HTTP + SMTP connections | still open at the end | bytes trickled | normal requests | answered 2xx/250 | latency p50 / p95 / max (ms) | test process RSS MB |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        `| ${slow.length} | ${open} | ${bytes} | ${answers.length} | ${answers.filter(Boolean).length} | ${ms(50)} / ${ms(95)} / ${latencies.at(-1)?.toFixed(0)} | ${Math.round(process.memoryUsage().rss / 2 ** 20)} |`,
      ].join('\n'),
    );
    expect(answers.every(Boolean)).toBe(true);
    expect(answers).toHaveLength(NORMAL_PER_DIALECT * DIALECTS.length);
    // The slow clients were really there, trickling, while the normal ones were served.
    expect(bytes).toBeGreaterThanOrEqual(slow.length);
    await sink.waitForMessages(answers.length);
  });
});

describe('timeouts and caps', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      MAILGATE_DELIVERY: 'capture',
      MAILGATE_SMTP_MAX_CLIENTS: '5',
      MAILGATE_SMTP_SOCKET_TIMEOUT_SECONDS: '1',
      MAILGATE_HTTP_CONNECTION_TIMEOUT_SECONDS: '1',
      // The greeting (and so the idle timer) waits for the client's reverse lookup: a dead DNS port fails it at once.
      MAILGATE_DNS_SERVERS: '127.0.0.1:9',
    });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  /** A raw connection and every byte the server sent before it closed it. */
  async function silentUntilClosed(port: number): Promise<string> {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await once(socket, 'close');
    return received;
  }

  it('closes silent HTTP, HTTPS and SMTP connections after their timeouts', async () => {
    const [http, https, smtp] = await Promise.all([
      silentUntilClosed(gw.server.httpPort),
      silentUntilClosed(gw.server.httpsPort),
      silentUntilClosed(gw.server.smtpPort),
    ]);
    expect(http).toBe('');
    expect(https).toBe('');
    expect(smtp).toMatch(/^220 .*\r\n421 .*Timeout/s);
  });

  it('answers 421 past MAILGATE_SMTP_MAX_CLIENTS, and queues nothing from it', async () => {
    const held = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const socket = net.connect(gw.server.smtpPort, '127.0.0.1');
        await once(socket, 'data');
        return socket;
      }),
    );
    const extra = net.connect(gw.server.smtpPort, '127.0.0.1');
    let text = '';
    extra.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    await once(extra, 'close');
    for (const socket of held) socket.destroy();
    expect(text).toMatch(/^421 .*Too many connected clients/);
    expect(await gw.countRows('messages')).toBe(0);
  });
});
