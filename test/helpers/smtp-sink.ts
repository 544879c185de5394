/** A real SMTP server on 127.0.0.1:0 that records what it receives and answers as a test scripts it. */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { dataFault, fires, noFaults, type FaultCounts, type SinkFaults } from './sink-faults.js';

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
  /** Random misbehaviour (sink-faults.ts), applied before onRcpt/onData are asked. */
  faults?: SinkFaults;
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  connections: number;
  /** Faults injected so far, by kind. */
  injected: FaultCounts;
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
  const sink = { port: 0, messages, connections: 0, injected: noFaults() } as SmtpSink;
  const faults = script.faults ?? {};
  // The TCP socket of each session (by client port), for the faults that cut a connection.
  const sockets = new Map<number, Socket>();
  const cut = (session: SMTPServerSession) => sockets.get(session.remotePort)?.destroy();
  const keep = (message: SinkMessage) => {
    messages.push(message);
    for (const w of waiters.filter((x) => messages.length >= x.count)) w.resolve();
  };

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
    onSecure(_socket, session, callback) {
      if (fires(faults, 'tlsFail', sink.injected)) return cut(session);
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      if (fires(faults, 'permFail', sink.injected)) return callback(refusal({ code: 550, message: '5.1.1 mailbox unavailable (injected)' }));
      const verdict = script.onRcpt?.(address.address, session);
      callback(verdict ? refusal(verdict) : undefined);
    },
    onData(stream, session, callback) {
      const fault = dataFault(faults, sink.injected);
      if (fault === 'dropBeforeDot') return cut(session);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message: SinkMessage = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        };
        if (fault === 'tempFail') return callback(refusal({ code: 451, message: '4.3.0 try again later (injected)' }));
        if (fault === 'dropAfterDot') {
          keep(message);
          return cut(session);
        }
        const stalled = fault === 'stall' ? delay(faults.stallMs ?? 1000) : Promise.resolve();
        void stalled.then(() => script.onData?.(message, dataCalls++)).then((verdict) => {
          if (verdict) return callback(refusal(verdict));
          keep(message);
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
  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort as number;
    sockets.set(port, socket);
    socket.once('close', () => sockets.delete(port));
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
