/** The direct MX transport against real peers and a real DNS server on loopback (RFC 5321 5, RFC 7505). */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../src/core/ports.js';
import { createMxTransport } from '../src/delivery/mx-transport.js';
import { closeAfterTest, closeAll, deadPort, envelope, RAW, sinkFor, TLS } from './helpers/smtp-peers.js';

afterEach(closeAll);

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
  closeAfterTest(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  return resolver;
}

function mx(port: number, resolver?: dns.promises.Resolver): Transport {
  const transport = createMxTransport({ hostname: 'gateway.test', port, ...(resolver ? { resolver } : {}) });
  closeAfterTest(() => transport.close());
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
