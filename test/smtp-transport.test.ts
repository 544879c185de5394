import dgram from 'node:dgram';
import dns from 'node:dns';
import net, { type AddressInfo } from 'node:net';
import { generateSelfSignedCertificate } from '../src/tls/self-signed.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Transport } from '../src/core/ports.js';
import { createMxTransport } from '../src/delivery/mx-transport.js';
import { createRelayTransport, type RelayTransportConfig } from '../src/delivery/relay-transport.js';
import { parseReply } from '../src/delivery/smtp-reply.js';

const RAW = Buffer.from(
  'From: a@sender.test\r\nTo: b@example.test\r\nSubject: hi\r\nMessage-ID: <1@sender.test>\r\n\r\nhello ünïcode\r\n',
);

const TLS = await generateSelfSignedCertificate(['localhost'], 1);

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  secure: boolean;
  user: string | undefined;
}

interface Sink {
  port: number;
  connections: number;
  messages: Received[];
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A real smtp-server on 127.0.0.1:0 that records what it receives. */
async function startSink(
  options: Partial<SMTPServerOptions> & {
    rejectRcpt?: Record<string, [number, string]>;
    dataReply?: [number, string];
    users?: Record<string, string>;
  } = {},
): Promise<Sink> {
  const { rejectRcpt = {}, dataReply, users, ...serverOptions } = options;
  const sink: Sink = { port: 0, connections: 0, messages: [], close: async () => undefined };
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
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

/** A port nothing listens on: bound once to learn a free number, then released. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // Transports first: their pooled connections would otherwise hold the sinks open.
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function sinkFor(options: Parameters<typeof startSink>[0] = {}): Promise<Sink> {
  const sink = await startSink(options);
  cleanups.push(() => sink.close());
  return sink;
}

function relay(config: Partial<RelayTransportConfig> & { port: number }, extra: { greetingTimeoutMs?: number } = {}): Transport {
  const transport = createRelayTransport(
    { host: '127.0.0.1', secure: false, requireTls: false, insecureTls: false, ...config },
    { hostname: 'gateway.test', ...extra },
  );
  cleanups.push(() => transport.close());
  return transport;
}

const envelope = (rcptTo: string[], domain = 'example.test') => ({ mailFrom: 'a@sender.test', rcptTo, domain });

describe('parseReply', () => {
  it.each([
    ['250 2.0.0 Ok: queued', 250, '2.0.0 Ok: queued'],
    ['550-5.1.1 first\n550 5.1.1 second', 550, '5.1.1 first 5.1.1 second'],
    ['421', 421, ''],
    ['garbage', 0, 'garbage'],
  ])('%j', (raw, code, text) => {
    expect(parseReply(raw)).toEqual({ code, text });
  });
});

describe('relay transport', () => {
  it('delivers over STARTTLS and records greeting, address, TLS, bytes and the DATA reply', async () => {
    const sink = await sinkFor({ disabledCommands: ['AUTH'], ...TLS });
    const transport = relay({ port: sink.port, requireTls: true, insecureTls: true });

    const before = Date.now();
    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record).toMatchObject({
      transport: 'relay',
      remoteHost: '127.0.0.1',
      remoteIp: '127.0.0.1',
      bytes: RAW.length,
      replies: { 'b@example.test': { outcome: 'delivered', code: 250 } },
    });
    expect(record.greeting).toMatch(/^220 .*sink ready/);
    expect(record.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(record.tlsCipher).toBeTruthy();
    expect(record.startedAt).toBeGreaterThanOrEqual(before);
    expect(record.endedAt).toBeGreaterThanOrEqual(record.startedAt);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({ mailFrom: 'a@sender.test', rcptTo: ['b@example.test'], secure: true });
    expect(sink.messages[0]?.raw.equals(RAW)).toBe(true);
  });

  it('speaks implicit TLS to an smtps:// relay', async () => {
    const sink = await sinkFor({ secure: true, disabledCommands: ['AUTH'], ...TLS });
    const transport = relay({ port: sink.port, secure: true, insecureTls: true });

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.replies['b@example.test']?.outcome).toBe('delivered');
    expect(record.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(sink.messages[0]?.secure).toBe(true);
  });

  it('refuses a self-signed relay certificate unless the URL allowed it', async () => {
    const sink = await sinkFor({ disabledCommands: ['AUTH'], ...TLS });
    const transport = relay({ port: sink.port });

    const record = await transport.send(envelope(['b@example.test']), RAW);

    const reply = record.replies['b@example.test'];
    expect(reply).toMatchObject({ outcome: 'temporary', code: 421 });
    expect(reply?.reply).toMatch(/^4\.4\.1 TLS with 127\.0\.0\.1:\d+ failed: .*self-signed/i);
    expect(sink.messages).toHaveLength(0);
  });

  it('fails temporarily when TLS is required and the relay does not offer it', async () => {
    const sink = await sinkFor();
    const transport = relay({ port: sink.port, requireTls: true });

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.replies['b@example.test']).toMatchObject({ outcome: 'temporary', code: 421 });
    expect(record.replies['b@example.test']?.reply).toMatch(/^4\.4\.1 /);
    expect(sink.messages).toHaveLength(0);
  });

  it('reports RCPT rejections per address and the DATA reply for the rest, in one transaction', async () => {
    const sink = await sinkFor({ rejectRcpt: { 'bad@example.test': [550, '5.1.1 <bad@example.test>: user unknown'] } });
    const transport = relay({ port: sink.port });

    const record = await transport.send(envelope(['good@example.test', 'bad@example.test']), RAW);

    expect(record.replies).toEqual({
      'good@example.test': { outcome: 'delivered', code: 250, reply: expect.stringMatching(/queued|accepted|ok/i) },
      'bad@example.test': { outcome: 'permanent', code: 550, reply: '5.1.1 <bad@example.test>: user unknown' },
    });
    expect(sink.connections).toBe(1);
    expect(sink.messages.map((m) => m.rcptTo)).toEqual([['good@example.test']]);
  });

  it('reports each rejection when every recipient is refused', async () => {
    const sink = await sinkFor({
      rejectRcpt: {
        'full@example.test': [452, '4.2.2 mailbox full'],
        'gone@example.test': [550, '5.1.1 no such user'],
      },
    });
    const transport = relay({ port: sink.port });

    const record = await transport.send(envelope(['full@example.test', 'gone@example.test']), RAW);

    expect(record.replies).toEqual({
      'full@example.test': { outcome: 'temporary', code: 452, reply: '4.2.2 mailbox full' },
      'gone@example.test': { outcome: 'permanent', code: 550, reply: '5.1.1 no such user' },
    });
    expect(record.bytes).toBe(0);
  });

  it('turns a 451 at the end of DATA into a temporary reply, keeping RCPT rejections', async () => {
    const sink = await sinkFor({
      dataReply: [451, '4.3.0 temporary local problem'],
      rejectRcpt: { 'bad@example.test': [550, '5.1.1 user unknown'] },
    });
    const transport = relay({ port: sink.port });

    const record = await transport.send(envelope(['good@example.test', 'bad@example.test']), RAW);

    expect(record.replies).toEqual({
      'good@example.test': { outcome: 'temporary', code: 451, reply: '4.3.0 temporary local problem' },
      'bad@example.test': { outcome: 'permanent', code: 550, reply: '5.1.1 user unknown' },
    });
    expect(record.bytes).toBe(RAW.length);
  });

  it('answers connection refused with 421 4.4.1 for every recipient instead of throwing', async () => {
    const port = await deadPort();
    const transport = relay({ port });

    const record = await transport.send(envelope(['a@example.test', 'b@example.test']), RAW);

    for (const address of ['a@example.test', 'b@example.test']) {
      expect(record.replies[address]).toMatchObject({ outcome: 'temporary', code: 421 });
      expect(record.replies[address]?.reply).toMatch(new RegExp(`^4\\.4\\.1 connection to 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`));
    }
  });

  it('answers a silent server with 421 4.4.1 once the greeting timeout passes', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          silent.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        }),
    );
    const transport = relay({ port: (silent.address() as AddressInfo).port }, { greetingTimeoutMs: 200 });

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.replies['b@example.test']).toMatchObject({ outcome: 'temporary', code: 421 });
    expect(record.replies['b@example.test']?.reply).toMatch(/^4\.4\.1 .*timed out waiting for the greeting/);
  });

  it('reuses one connection for consecutive messages to the same target', async () => {
    const sink = await sinkFor();
    const transport = relay({ port: sink.port });

    const first = await transport.send(envelope(['b@example.test']), RAW);
    const second = await transport.send({ mailFrom: '', rcptTo: ['c@example.test'], domain: 'example.test' }, RAW);

    expect(first.replies['b@example.test']?.outcome).toBe('delivered');
    expect(second.replies['c@example.test']?.outcome).toBe('delivered');
    expect(second.greeting).toBe(first.greeting);
    expect(sink.connections).toBe(1);
    expect(sink.messages.map((m) => [m.mailFrom, m.rcptTo])).toEqual([
      ['a@sender.test', ['b@example.test']],
      ['', ['c@example.test']],
    ]);
  });

  it('opens a new connection after close()', async () => {
    const sink = await sinkFor();
    const transport = relay({ port: sink.port });

    await transport.send(envelope(['b@example.test']), RAW);
    await transport.close();
    const again = createRelayTransport({ host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, insecureTls: false }, { hostname: 'gateway.test' });
    cleanups.push(() => again.close());
    await again.send(envelope(['c@example.test']), RAW);

    expect(sink.connections).toBe(2);
  });

  it('authenticates with the relay credentials', async () => {
    const sink = await sinkFor({ users: { alice: 's3cret' } });
    const transport = relay({ port: sink.port, user: 'alice', pass: 's3cret' });

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.replies['b@example.test']?.outcome).toBe('delivered');
    expect(sink.messages[0]?.user).toBe('alice');
  });

  it('keeps mail queued (454 temporary) when the relay refuses the credentials', async () => {
    const sink = await sinkFor({ users: { alice: 's3cret' } });
    const transport = relay({ port: sink.port, user: 'alice', pass: 'wrong' });

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.replies['b@example.test']).toMatchObject({ outcome: 'temporary', code: 454 });
    expect(record.replies['b@example.test']?.reply).toMatch(/^4\.7\.0 authentication .* failed: 535/);
    expect(sink.messages).toHaveLength(0);
  });
});

type Zone = Record<string, Array<[number, string]>>;

function dnsName(name: string): Buffer {
  const labels = name.split('.').filter(Boolean);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}

/** A tiny authoritative DNS server on UDP 127.0.0.1:0 that answers MX queries from `zone`. */
async function startDns(zone: Zone): Promise<dns.promises.Resolver> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    let offset = 12;
    const labels: string[] = [];
    while ((query[offset] ?? 0) !== 0) {
      const length = query[offset] ?? 0;
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString());
      offset += length + 1;
    }
    offset += 1;
    const qtype = query.readUInt16BE(offset);
    const question = query.subarray(12, offset + 4);
    const records = zone[labels.join('.').toLowerCase()];
    const answers = qtype === 15 && records ? records : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    // QR, RD, RA; RCODE 3 (NXDOMAIN) for names outside the zone.
    header.writeUInt16BE(0x8180 | (records ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map(([preference, exchange]) => {
      const rdata = Buffer.concat([Buffer.from([preference >> 8, preference & 0xff]), dnsName(exchange)]);
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0);
      fixed.writeUInt16BE(15, 2);
      fixed.writeUInt16BE(1, 4);
      fixed.writeUInt32BE(60, 6);
      fixed.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([fixed, rdata]);
    });
    socket.send(Buffer.concat([header, question, ...rrs]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  return resolver;
}

function mx(port: number, resolver?: dns.promises.Resolver): Transport {
  const transport = createMxTransport({ hostname: 'gateway.test', port, ...(resolver ? { resolver } : {}) });
  cleanups.push(() => transport.close());
  return transport;
}

describe('MX transport', () => {
  it('falls back to the address of a domain without MX records (localhost, real lookup)', async () => {
    const sink = await sinkFor();
    const transport = mx(sink.port);

    const record = await transport.send(envelope(['postmaster@localhost'], 'localhost'), RAW);

    expect(record).toMatchObject({
      transport: 'mx',
      remoteHost: 'localhost',
      remoteIp: '127.0.0.1',
      replies: { 'postmaster@localhost': { outcome: 'delivered', code: 250 } },
    });
    expect(sink.messages[0]?.rcptTo).toEqual(['postmaster@localhost']);
  });

  it('uses STARTTLS opportunistically without requiring a verifiable certificate', async () => {
    const sink = await sinkFor({ disabledCommands: ['AUTH'], ...TLS });
    const transport = mx(sink.port);

    const record = await transport.send(envelope(['postmaster@localhost'], 'localhost'), RAW);

    expect(record.replies['postmaster@localhost']?.outcome).toBe('delivered');
    expect(record.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(sink.messages[0]?.secure).toBe(true);
  });

  it('tries the next MX, by preference, when a host refuses the connection', async () => {
    const sink = await sinkFor();
    // The sink listens on 127.0.0.1 only, so 127.0.0.2 (also loopback) refuses its port.
    const resolver = await startDns({ 'example.test': [[20, 'localhost'], [10, '127.0.0.2']] });
    const transport = mx(sink.port, resolver);

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.remoteHost).toBe('localhost');
    expect(record.replies['b@example.test']?.outcome).toBe('delivered');
    expect(sink.connections).toBe(1);
  });

  it('fails temporarily with 421 4.4.1 when no MX host can be reached', async () => {
    const sink = await sinkFor();
    const resolver = await startDns({ 'example.test': [[10, '127.0.0.2'], [20, '127.0.0.3']] });
    const transport = mx(sink.port, resolver);

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.replies['b@example.test']).toMatchObject({ outcome: 'temporary', code: 421 });
    expect(record.replies['b@example.test']?.reply).toMatch(/^4\.4\.1 connection to 127\.0\.0\.3:\d+ failed/);
  });

  it('bounces a null MX domain with 556 5.1.10 (RFC 7505)', async () => {
    const resolver = await startDns({ 'nomail.test': [[0, '.']] });
    const transport = mx(25, resolver);

    const record = await transport.send(envelope(['b@nomail.test'], 'nomail.test'), RAW);

    expect(record.replies['b@nomail.test']).toMatchObject({ outcome: 'permanent', code: 556 });
    expect(record.replies['b@nomail.test']?.reply).toMatch(/^5\.1\.10 /);
  });

  it('bounces a domain that does not exist', async () => {
    const resolver = await startDns({});
    const transport = mx(25, resolver);

    const record = await transport.send(envelope(['b@nowhere.invalid'], 'nowhere.invalid'), RAW);

    expect(record.replies['b@nowhere.invalid']).toMatchObject({ outcome: 'permanent', code: 550 });
    expect(record.replies['b@nowhere.invalid']?.reply).toMatch(/^5\.1\.2 nowhere\.invalid: domain not found/);
  });

  it('defers when the MX lookup itself fails', async () => {
    // A resolver pointed at a port nothing answers on: the query times out (ETIMEOUT/ECONNREFUSED).
    const resolver = new dns.promises.Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([`127.0.0.1:${await deadPort()}`]);
    const transport = mx(25, resolver);

    const record = await transport.send(envelope(['b@example.test']), RAW);

    expect(record.replies['b@example.test']).toMatchObject({ outcome: 'temporary', code: 451 });
    expect(record.replies['b@example.test']?.reply).toMatch(/^4\.4\.3 MX lookup for example\.test failed/);
  });
});
