/**
 * Graph throttling per app+mailbox: 429 ApplicationThrottled with Retry-After, honoured by both
 * SDKs' retry handlers, and the in-flight cap. Limits are set tiny so the test reaches them at once.
 */
import { request as httpRequest } from 'node:http';
import { once } from 'node:events';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kiotaClient, startGraphFixture, type GraphApp, type GraphFixture } from './helpers/graph.js';
import { trustForProcess } from './helpers/tls-fetch.js';

let f: GraphFixture;
let app: GraphApp;
const ALICE = 'alice@example.test';
const WINDOW_SECONDS = 1;
const message = { subject: 'throttled', toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }] };

beforeAll(async () => {
  f = await startGraphFixture({
    MAILGATE_GRAPH_REQUEST_LIMIT: '2',
    MAILGATE_GRAPH_REQUEST_WINDOW_SECONDS: String(WINDOW_SECONDS),
    MAILGATE_GRAPH_CONCURRENT_REQUESTS: '1',
  });
  await f.user(ALICE);
  app = await f.app(['Mail.Send']);
  // The SDKs talk to the HTTPS port (sharing the plain port's budget), trusting the gateway's certificate.
  trustForProcess(f.gw.caFile);
});

afterAll(async () => {
  await f?.stop();
});

/** Records every status the server answered, below the SDK's retry handler. */
class StatusLog implements Middleware {
  readonly statuses: Array<{ status: number; retryAfter: string | null }> = [];
  private next: Middleware | undefined;
  async execute(context: Context): Promise<void> {
    await this.next?.execute(context);
    this.statuses.push({ status: context.response?.status ?? 0, retryAfter: context.response?.headers.get('Retry-After') ?? null });
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

describe('Graph throttling', () => {
  it('answers 429 ApplicationThrottled with Retry-After once the window budget is spent', async () => {
    const token = await f.appToken(app);
    const send = () =>
      fetch(`${f.gw.url}/v1.0/users/${ALICE}/sendMail`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'client-request-id': 'my-request' },
        body: JSON.stringify({ message }),
      });
    // Wait for a fresh window so both budgeted requests fall into it.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000));
    const results = [await send(), await send(), await send()];
    expect(results.map((r) => r.status).slice(0, 2)).toEqual([202, 202]);
    const refused = results[2] as Response;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { error: { code: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe('ApplicationThrottled');
    expect(body.error.innerError['client-request-id']).toBe('my-request');
  });

  it('graph-client retries after Retry-After and the send succeeds', async () => {
    const token = await f.userToken(app, ALICE, 'Mail.Send');
    const log = new StatusLog();
    // The docs' custom chain: the SDK's own AuthenticationHandler first, then retry, then the transport.
    const client = Client.initWithMiddleware({
      baseUrl: f.gw.httpsUrl,
      customHosts: new Set([new URL(f.gw.httpsUrl).hostname]),
      middleware: [
        new AuthenticationHandler({ getAccessToken: async () => token }),
        new RetryHandler(new RetryHandlerOptions(1, 3)),
        log,
        new HTTPMessageHandler(),
      ],
    });
    const started = Date.now();
    for (let i = 0; i < 3; i++) await client.api('/me/sendMail').post({ message });
    const throttled = log.statuses.filter((s) => s.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((s) => Number(s.retryAfter) >= 1)).toBe(true);
    expect(log.statuses.filter((s) => s.status === 202)).toHaveLength(3);
    // The retry waited as told rather than hammering the server.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('Kiota retries after Retry-After and the send succeeds', async () => {
    const token = await f.appToken(app);
    const { client } = kiotaClient(f.gw.httpsUrl, async () => token);
    const sentBefore = f.sink.messages.length;
    const started = Date.now();
    // Three sends against a budget of two per window: one of them must wait out a 429.
    for (let i = 0; i < 3; i++) await client.users.byUserId(ALICE).sendMail.post({ message: { subject: `kiota ${i}`, toRecipients: message.toRecipients } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await f.sink.waitForMessages(sentBefore + 3);
  });

  it('refuses a request beyond the in-flight cap with 429 and Retry-After', async () => {
    const token = await f.appToken(app);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000));
    // A request whose body is still arriving is in flight: authentication runs before the body is read.
    const url = new URL(`${f.gw.url}/v1.0/users/${ALICE}/sendMail`);
    const slow = httpRequest(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': '1000' } });
    slow.write('{');
    const answered = once(slow, 'response');
    let second: Response | undefined;
    for (let attempt = 0; attempt < 50 && second?.status !== 429; attempt++) {
      second = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
    }
    expect(second?.status).toBe(429);
    expect(second?.headers.get('retry-after')).toBe('1');
    slow.destroy();
    await answered.catch(() => undefined);
  });
});
