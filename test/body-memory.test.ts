/**
 * The request body memory budget (docs/request-limits.md#body-memory) through real sockets: a
 * request whose body would not fit waits unread, with nothing accepted, until earlier bodies are
 * done; then it is served as usual.
 */
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcHeaders, mcPost } from './helpers/mimecast-client.js';
import { sample, scrape } from './helpers/prometheus.js';
import { waitFor } from './helpers/wait-for.js';

const URI = '/api/email/send-email';
let gw: TestGateway;
let keys: MimecastKeys;

beforeAll(async () => {
  // 1 MB of bodies at once; delivery paused so that only acceptance is counted.
  gw = await startTestGateway({ MAILGATE_HTTP_BODY_MEMORY_MB: '1', MAILGATE_WORKER_CONCURRENCY: '0' });
  keys = await gw.user('sender@example.test');
});
afterAll(() => gw.stop());

function sendBody(textBytes: number): string {
  return JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject: 'big', plainBody: { content: 'a'.repeat(textBytes) } }] });
}

async function budget(): Promise<{ bytes: number; waiting: number }> {
  const text = await scrape(gw.url);
  return { bytes: sample(text, 'mailgate_http_body_memory_bytes'), waiting: sample(text, 'mailgate_http_body_waiting') };
}

/** Sends the headers and all but the last bytes of a signed send-email; `finish` sends the rest and reads the status line. */
async function partialSend(body: string, signedBy: MimecastKeys = keys): Promise<{ finish(): Promise<string>; statusLine: Promise<string> }> {
  const socket = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
  await once(socket, 'connect');
  const headers = { Host: '127.0.0.1', 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...mcHeaders(signedBy, URI) };
  socket.write(`POST ${URI} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.slice(0, -10)}`);
  let answer = '';
  const statusLine = new Promise<string>((resolve, reject) => {
    socket.on('data', (piece: Buffer) => {
      answer += piece.toString('latin1');
      if (answer.includes('\r\n')) resolve(answer.split('\r\n')[0] ?? '');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
  return {
    statusLine,
    async finish() {
      socket.write(body.slice(-10));
      const line = await statusLine;
      socket.destroy();
      return line;
    },
  };
}

describe('request body memory budget', () => {
  it('holds a body that does not fit until the one in memory is answered; nothing is accepted meanwhile', async () => {
    const first = sendBody(900_000);
    const held = await partialSend(first);
    await waitFor(async () => (await budget()).bytes === Buffer.byteLength(first), 'the first body to be admitted');

    let secondDone = false;
    const second = mcPost(gw.url, keys, URI, sendBody(300_000)).finally(() => (secondDone = true));
    await waitFor(async () => (await budget()).waiting === 1, 'the second request to wait');
    expect(secondDone).toBe(false);
    expect(await gw.countRows('messages')).toBe(0);

    expect(await held.finish()).toBe('HTTP/1.1 200 OK');
    const answered = await second;
    expect(answered.status).toBe(200);
    expect(answered.body.fail).toEqual([]);
    expect(await gw.countRows('messages')).toBe(2);
    await waitFor(async () => (await budget()).bytes === 0, 'the budget to be given back');
    expect((await budget()).waiting).toBe(0);
  });

  it('takes no budget for a request its dialect refuses before the body (a wrong signature): 401 while the body is still unsent', async () => {
    const forged = { ...keys, secretKey: Buffer.alloc(32, 1).toString('base64') };
    const before = await gw.countRows('messages');
    const refused = await partialSend(sendBody(900_000), forged);
    expect(await refused.statusLine).toBe('HTTP/1.1 401 Unauthorized');
    expect(await budget()).toEqual({ bytes: 0, waiting: 0 });
    expect(await gw.countRows('messages')).toBe(before);
    await refused.finish();
  });

  it('serves a body larger than the whole budget on its own', async () => {
    const before = await gw.countRows('messages');
    const answered = await mcPost(gw.url, keys, URI, sendBody(1_500_000));
    expect(answered.status).toBe(200);
    expect(answered.body.fail).toEqual([]);
    expect(await gw.countRows('messages')).toBe(before + 1);
  });
});
