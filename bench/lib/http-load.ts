/**
 * The HTTP load generator, run as its own process so its CPU and memory are not the gateway's:
 * Mimecast send-email calls (optionally each with a freshly uploaded attachment) either closed-loop
 * at a fixed concurrency or open-loop at a fixed rate. Prints `ready`, waits for `go` on stdin,
 * then prints one JSON line with its timings.
 *   node --import tsx bench/lib/http-load.ts '<LoadSpec JSON>'
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { MimecastKeys } from '../../src/auth/identity.js';
import { mcHeaders } from '../../test/helpers/mimecast-client.js';
import { textOfSize } from './message-text.js';

export interface LoadSpec {
  /** The gateway, or several gateway processes: request n goes to url[n % url.length]. */
  url: string | string[];
  keys: MimecastKeys;
  count: number;
  /** Requests in flight (closed loop). */
  concurrency: number;
  /** Requests started per second (open loop); concurrency then only caps what is in flight. */
  rate?: number;
  /** Size of the plain-text body. */
  bodyBytes: number;
  /** Upload a file of this size first and attach it to each message. */
  attachmentBytes?: number;
}

export interface LoadResult {
  startedAt: number;
  endedAt: number;
  ok: number;
  failures: number;
  /** Milliseconds per accepted send-email call (the upload, if any, is not included). */
  latencies: number[];
  firstError?: string;
}

function post(agent: http.Agent, url: URL, uri: string, keys: MimecastKeys, body: Buffer, extra: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url.origin + uri,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, ...mcHeaders(keys, uri), ...extra },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(spec: LoadSpec): Promise<LoadResult> {
  const urls = [spec.url].flat().map((u) => new URL(u));
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const attachment = spec.attachmentBytes ? Buffer.from(textOfSize(spec.attachmentBytes)) : undefined;
  const item = { to: [{ emailAddress: 'sink@remote.test' }], subject: 'bench', plainBody: { content: textOfSize(spec.bodyBytes) } };
  const plain = Buffer.from(JSON.stringify({ data: [item] }));

  async function payload(url: URL): Promise<Buffer> {
    if (!attachment) return plain;
    const sha256 = createHash('sha256').update(attachment).digest('hex');
    const arg = JSON.stringify({ data: [{ sha256, fileSize: attachment.length }] });
    const up = await post(agent, url, '/api/file/file-upload', spec.keys, attachment, { 'x-mc-arg': arg, 'Content-Type': 'application/octet-stream' });
    const id = (JSON.parse(up.text) as { data: Array<{ id: string }> }).data[0]?.id;
    if (!id) throw new Error(`upload failed: ${up.status} ${up.text}`);
    return Buffer.from(JSON.stringify({ data: [{ ...item, attachments: [{ id, filename: 'big.txt' }] }] }));
  }

  const result: LoadResult = { startedAt: Date.now(), endedAt: 0, ok: 0, failures: 0, latencies: [] };
  async function one(seq: number): Promise<void> {
    const url = urls[seq % urls.length] as URL;
    try {
      const body = await payload(url);
      const t0 = performance.now();
      const res = await post(agent, url, '/api/email/send-email', spec.keys, body);
      const ms = performance.now() - t0;
      const parsed = JSON.parse(res.text) as { fail?: unknown[] };
      if (res.status === 200 && parsed.fail?.length === 0) {
        result.ok++;
        result.latencies.push(ms);
      } else {
        result.failures++;
        result.firstError ??= `${res.status} ${res.text.slice(0, 300)}`;
      }
    } catch (error) {
      result.failures++;
      result.firstError ??= String(error);
    }
  }

  let started = 0;
  if (spec.rate) {
    // Open loop: start times follow the clock, not the replies, so slow answers show as latency.
    const inFlight = new Set<Promise<void>>();
    const interval = 1000 / spec.rate;
    const t0 = performance.now();
    while (started < spec.count) {
      const due = t0 + started * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (inFlight.size >= spec.concurrency) await Promise.race(inFlight);
      const p = one(started++).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(
      Array.from({ length: Math.min(spec.concurrency, spec.count) }, async () => {
        while (started < spec.count) await one(started++);
      }),
    );
  }
  result.endedAt = Date.now();
  agent.destroy();
  return result;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
console.log('ready');
const lines = createInterface({ input: process.stdin });
const [line] = (await once(lines, 'line')) as [string];
if (line.trim() === 'go') {
  const result = await main(spec);
  console.log(JSON.stringify(result));
}
lines.close();
