/** A real SMTP server on 127.0.0.1:0 that records what it receives and answers as a test scripts it. */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface SinkMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/** Return an SMTP error code and text to refuse, or undefined to accept. */
export type SinkVerdict = { code: number; message: string } | undefined;

export interface SinkScript {
  onRcpt?(address: string, session: SMTPServerSession): SinkVerdict;
  /** May answer later (or never, to hold a transaction open). */
  onData?(message: SinkMessage, index: number): SinkVerdict | Promise<SinkVerdict>;
  /** Offer STARTTLS with this key and certificate (off by default). */
  tls?: { key: string; cert: string };
  /** The greeting banner text. */
  banner?: string;
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  connections: number;
  /** Resolves once `count` messages have been accepted in total. */
  waitForMessages(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

function refusal(verdict: NonNullable<SinkVerdict>): Error {
  return Object.assign(new Error(verdict.message), { responseCode: verdict.code });
}

export async function startSmtpSink(script: SinkScript = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let dataCalls = 0;
  const sink = { port: 0, messages, connections: 0 } as SmtpSink;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: script.tls ? [] : ['STARTTLS'],
    ...(script.tls ? { key: script.tls.key, cert: script.tls.cert } : {}),
    ...(script.banner ? { banner: script.banner } : {}),
    logger: false,
    onConnect(_session, callback) {
      sink.connections += 1;
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      const verdict = script.onRcpt?.(address.address, session);
      callback(verdict ? refusal(verdict) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message: SinkMessage = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        };
        void Promise.resolve(script.onData?.(message, dataCalls++)).then((verdict) => {
          if (verdict) return callback(refusal(verdict));
          messages.push(message);
          for (const w of waiters.filter((x) => messages.length >= x.count)) w.resolve();
          callback(null, 'Ok: queued as sink-' + messages.length);
        });
      });
    },
  });
  // A sender killed mid-session (multi-process tests SIGKILL gateways holding pooled connections)
  // resets its socket; smtp-server re-emits that on the server, and a real sink shrugs it off.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  sink.port = (server.server.address() as AddressInfo).port;

  sink.waitForMessages = (count, timeoutMs = 20_000) => {
    if (messages.length >= count) return Promise.resolve(messages);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sink saw ${messages.length} of ${count} messages`)),
        timeoutMs,
      );
      waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(messages);
        },
      });
    });
  };
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
