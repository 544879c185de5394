/** The relay transport against real smtp-server peers: TLS, replies per recipient, reuse, auth. */
import { mkdtempSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../src/core/ports.js';
import { createRelayTransport, type RelayTransportConfig } from '../src/delivery/relay-transport.js';
import { parseReply } from '../src/delivery/smtp-reply.js';
import { createFileBlobStore } from '../src/store/sqlite/blob-store.js';
import { closeAfterTest, closeAll, deadPort, envelope, RAW, sinkFor, TLS } from './helpers/smtp-peers.js';

afterEach(closeAll);

function relay(config: Partial<RelayTransportConfig> & { port: number }, extra: { greetingTimeoutMs?: number } = {}): Transport {
  const transport = createRelayTransport(
    { host: '127.0.0.1', secure: false, requireTls: false, insecureTls: false, ...config },
    { hostname: 'gateway.test', ...extra },
  );
  closeAfterTest(() => transport.close());
  return transport;
}

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

  it('streams a message stored as a file: the same bytes, SIZE and BODY=8BITMIME declared, and again on the next attempt', async () => {
    const sink = await sinkFor({ size: 50 * 2 ** 20 });
    const transport = relay({ port: sink.port });
    const blobs = createFileBlobStore(mkdtempSync(path.join(tmpdir(), 'stream-blob-')));
    // Larger than any socket or stream buffer, with one 8-bit byte near the end.
    const raw = Buffer.concat([RAW.subarray(0, RAW.indexOf('\r\n\r\n') + 4), Buffer.from(`${'line of text\r\n'.repeat(300_000)}caf\xe9\r\n`, 'latin1')]);
    await blobs.put('m-stream', raw);
    const content = await blobs.read('m-stream');
    expect(Buffer.isBuffer(content)).toBe(false);

    const first = await transport.send(envelope(['b@example.test']), content);
    const second = await transport.send(envelope(['c@example.test']), content);

    expect(first).toMatchObject({ bytes: raw.length, replies: { 'b@example.test': { outcome: 'delivered', code: 250 } } });
    expect(second).toMatchObject({ bytes: raw.length, replies: { 'c@example.test': { outcome: 'delivered', code: 250 } } });
    expect(sink.messages.map((m) => m.raw.equals(raw))).toEqual([true, true]);
    expect(sink.messages[0]?.mailFromArgs).toMatchObject({ BODY: '8BITMIME', SIZE: String(raw.length) });
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
    closeAfterTest(
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

  it('starts the next transaction straight after a delivered one, and with RSET after a refused one', async () => {
    const sink = await sinkFor({ rejectRcpt: { 'gone@example.test': [550, '5.1.1 no such user'] } });
    const transport = relay({ port: sink.port });

    const outcomes = [];
    for (const to of ['b@example.test', 'gone@example.test', 'c@example.test', 'd@example.test']) {
      outcomes.push((await transport.send(envelope([to]), RAW)).replies[to]?.outcome);
    }

    expect(outcomes).toEqual(['delivered', 'permanent', 'delivered', 'delivered']);
    expect(sink.connections).toBe(1);
    // RFC 5321 4.1.1.4: the end of a delivered message leaves the session ready for the next MAIL.
    const verbs = sink.commands.map((c) => c.split(/[ :]/)[0]).filter((v) => v !== 'EHLO');
    expect(verbs).toEqual(['MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'RSET', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA']);
  });

  it('sends over a new connection when a reused one answers MAIL FROM with 421, but takes a new one\'s 421 as the reply', async () => {
    const closing = await sinkFor({
      onMailFrom(_address, session, callback) {
        // Like a server limiting messages per connection: the second transaction is refused.
        callback(session.transaction > 1 ? Object.assign(new Error('4.7.0 too many messages, closing'), { responseCode: 421 }) : null);
      },
    });
    const transport = relay({ port: closing.port });

    const first = await transport.send(envelope(['b@example.test']), RAW);
    const second = await transport.send(envelope(['c@example.test']), RAW);

    expect([first.replies['b@example.test']?.outcome, second.replies['c@example.test']?.outcome]).toEqual(['delivered', 'delivered']);
    expect(closing.connections).toBe(2);
    expect(closing.messages.map((m) => m.rcptTo)).toEqual([['b@example.test'], ['c@example.test']]);

    const refusing = await sinkFor({
      onMailFrom(_address, _session, callback) {
        callback(Object.assign(new Error('4.3.2 not now'), { responseCode: 421 }));
      },
    });
    const record = await relay({ port: refusing.port }).send(envelope(['e@example.test']), RAW);
    expect(record.replies['e@example.test']).toMatchObject({ outcome: 'temporary', code: 421 });
    expect(refusing.connections).toBe(1);
    expect(refusing.messages).toHaveLength(0);
  });

  it('opens a new connection after close()', async () => {
    const sink = await sinkFor();
    const transport = relay({ port: sink.port });

    await transport.send(envelope(['b@example.test']), RAW);
    await transport.close();
    const again = createRelayTransport({ host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, insecureTls: false }, { hostname: 'gateway.test' });
    closeAfterTest(() => again.close());
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
