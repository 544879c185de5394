/** Real SMTP peers for transport tests: a recording smtp-server sink on 127.0.0.1:0 and a dead port. */
import net, { type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { generateSelfSignedCertificate } from '../../src/tls/self-signed.js';

export const RAW = Buffer.from(
  'From: a@sender.test\r\nTo: b@example.test\r\nSubject: hi\r\nMessage-ID: <1@sender.test>\r\n\r\nhello ünïcode\r\n',
);

export const TLS = await generateSelfSignedCertificate(['localhost'], 1);

export interface Received {
  mailFrom: string;
  /** MAIL FROM parameters (SIZE, BODY…), as smtp-server parsed them. */
  mailFromArgs: Record<string, string>;
  rcptTo: string[];
  raw: Buffer;
  secure: boolean;
  user: string | undefined;
}

export interface Sink {
  port: number;
  connections: number;
  /** SMTP command lines clients sent in plain text, in order (message content excluded). */
  commands: string[];
  messages: Received[];
  close(): Promise<void>;
}

const COMMAND = /^(EHLO|HELO|MAIL FROM:|RCPT TO:|DATA$|RSET$|NOOP|QUIT$|STARTTLS$|AUTH )/;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A real smtp-server on 127.0.0.1:0 that records what it receives. */
export async function startSink(
  options: Partial<SMTPServerOptions> & {
    rejectRcpt?: Record<string, [number, string]>;
    dataReply?: [number, string];
    users?: Record<string, string>;
  } = {},
): Promise<Sink> {
  const { rejectRcpt = {}, dataReply, users, ...serverOptions } = options;
  const sink: Sink = { port: 0, connections: 0, commands: [], messages: [], close: async () => undefined };
  const server = new SMTPServer({
    logger: false,
    banner: 'sink ready',
    disabledCommands: users ? ['STARTTLS'] : ['AUTH', 'STARTTLS'],
    authOptional: !users,
    allowInsecureAuth: true,
    ...serverOptions,
    onConnect(_session, callback) {
      sink.connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (users && auth.username !== undefined && users[auth.username] === auth.password) {
        return callback(null, { user: auth.username });
      }
      callback(smtpError(535, '5.7.8 authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      const rejection = rejectRcpt[address.address];
      callback(rejection ? smtpError(rejection[0], rejection[1]) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (dataReply) return callback(smtpError(dataReply[0], dataReply[1]));
        sink.messages.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          mailFromArgs: session.envelope.mailFrom ? ((session.envelope.mailFrom.args || {}) as Record<string, string>) : {},
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  });
  server.server.on('connection', (socket: net.Socket) => {
    // A line may arrive in two chunks: the part after the last CRLF waits for the next one.
    let partial = '';
    socket.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('latin1')).split('\r\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (COMMAND.test(line)) sink.commands.push(line);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

/** A port nothing listens on: bound once to learn a free number, then released. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const cleanups: Array<() => Promise<void>> = [];

/** Registers something to close after the current test. */
export function closeAfterTest(close: () => Promise<void>): void {
  cleanups.push(close);
}

/** For afterEach: closes, newest first, what the test opened (transports before the sinks they pool connections to). */
export async function closeAll(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

export async function sinkFor(options: Parameters<typeof startSink>[0] = {}): Promise<Sink> {
  const sink = await startSink(options);
  closeAfterTest(() => sink.close());
  return sink;
}

export const envelope = (rcptTo: string[], domain = 'example.test') => ({ mailFrom: 'a@sender.test', rcptTo, domain });
