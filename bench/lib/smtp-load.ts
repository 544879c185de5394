/**
 * The SMTP load generator for `smtp-in`, its own process like http-load.ts: `concurrency`
 * connections each sending the same message over and over (EHLO once, then MAIL/RCPT/DATA per
 * message), timing each message from MAIL FROM to the final 250. Prints `ready`, waits for `go`.
 *   node --import tsx bench/lib/smtp-load.ts '<SmtpLoadSpec JSON>'
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { LoadResult } from './http-load.js';

export interface SmtpLoadSpec {
  port: number;
  count: number;
  concurrency: number;
  mailFrom: string;
  rcptTo: string;
  /** File holding the message (CRLF line ends, already dot-stuffed or free of leading dots). */
  messageFile: string;
}

/** One SMTP client connection that reads replies (multi-line aware) in order. */
class Client {
  private buffer = '';
  private waiting: Array<(reply: string) => void> = [];
  private lines: string[] = [];

  constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        this.lines.push(line);
        // "250-" continues a reply, "250 " ends it.
        if (line[3] !== '-') {
          const reply = this.lines.join('\n');
          this.lines = [];
          this.waiting.shift()?.(reply);
        }
      }
    });
  }

  reply(): Promise<string> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async command(text: string | Buffer, expect: string): Promise<void> {
    const answer = this.reply();
    this.socket.write(text);
    const reply = await answer;
    if (!reply.startsWith(expect)) throw new Error(`${String(text).slice(0, 40).trim()} → ${reply}`);
  }
}

async function main(spec: SmtpLoadSpec): Promise<LoadResult> {
  const message = readFileSync(spec.messageFile);
  const data = Buffer.concat([message, Buffer.from(message.subarray(-2).toString() === '\r\n' ? '.\r\n' : '\r\n.\r\n')]);
  const result: LoadResult = { startedAt: Date.now(), endedAt: 0, ok: 0, failures: 0, latencies: [] };
  let started = 0;
  await Promise.all(
    Array.from({ length: Math.min(spec.concurrency, spec.count) }, async () => {
      const socket = net.connect(spec.port, '127.0.0.1');
      await once(socket, 'connect');
      const client = new Client(socket);
      const greeting = await client.reply();
      if (!greeting.startsWith('220')) throw new Error(`greeting ${greeting}`);
      await client.command('EHLO load.bench.test\r\n', '250');
      while (started < spec.count) {
        started++;
        const t0 = performance.now();
        try {
          await client.command(`MAIL FROM:<${spec.mailFrom}>\r\n`, '250');
          await client.command(`RCPT TO:<${spec.rcptTo}>\r\n`, '250');
          await client.command('DATA\r\n', '354');
          await client.command(data, '250');
          result.ok++;
          result.latencies.push(performance.now() - t0);
        } catch (error) {
          result.failures++;
          result.firstError ??= String(error);
          await client.command('RSET\r\n', '250');
        }
      }
      await client.command('QUIT\r\n', '221');
      socket.destroy();
    }),
  );
  result.endedAt = Date.now();
  return result;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as SmtpLoadSpec;
console.log('ready');
const lines = createInterface({ input: process.stdin });
const [line] = (await once(lines, 'line')) as [string];
if (line.trim() === 'go') console.log(JSON.stringify(await main(spec)));
lines.close();
