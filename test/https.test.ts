/**
 * HTTPS on MAILGATE_HTTPS_PORT: TLS 1.2+ only, the generated certificate verifies for the names a
 * local client dials once trusted as CA, every route answers as on the plain port with one shared
 * limiter state, keep-alive, the certificate files and modes, configured PEM files, the LINE WORKS
 * port over TLS, STARTTLS sharing the certificate, and a failed bind closing what was opened.
 */
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { connect, createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import type { MimecastKeys } from '../src/auth/identity.js';
import { loadConfig } from '../src/config/config.js';
import { startServer } from '../src/main.js';
import { generateSelfSignedCertificate } from '../src/tls/self-signed.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';
import { fileFingerprint, handshake, httpsGet } from './helpers/tls-probe.js';

let sink: SmtpSink;
let gw: TestGateway;
let keys: MimecastKeys;
let ca: Buffer;
let port: number;

beforeAll(async () => {
  sink = await startSmtpSink();
  gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAILGATE_RATE_LIMIT_PER_MINUTE: '4', MAILGATE_WORKS_PORT: '0' });
  keys = await gw.user('sender@example.test');
  ca = readFileSync(gw.caFile);
  port = gw.server.httpsPort;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

const send = (subject: string) => JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject, plainBody: { content: 'over TLS' } }] });

describe('the HTTPS port', () => {
  it('refuses TLS 1.1 with a protocol_version alert and speaks TLS 1.2 and 1.3', async () => {
    // SECLEVEL=0 lets this client really offer TLS 1.1, so the refusal is the server's alert, not a local one.
    const old = handshake({ port, ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    await expect(old).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    expect((await handshake({ port, ca, maxVersion: 'TLSv1.2' })).protocol).toBe('TLSv1.2');
    expect((await handshake({ port, ca })).protocol).toBe('TLSv1.3');
  });

  it('presents the generated certificate, which verifies for 127.0.0.1, localhost and MAILGATE_HOSTNAME with itself as CA', async () => {
    const expected = fileFingerprint(gw.caFile);
    expect((await handshake({ port, ca })).fingerprint).toBe(expected);
    expect((await handshake({ port, ca, servername: 'localhost' })).fingerprint).toBe(expected);
    expect((await handshake({ port, ca, servername: 'gateway.test' })).fingerprint).toBe(expected);
    // The checks above could fail: another name, or no trust, is refused.
    await expect(handshake({ port, ca, servername: 'other.example' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    await expect(handshake({ port })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('writes the certificate to <data>/tls/https-cert.pem and its key beside it with mode 0600', () => {
    expect(gw.caFile).toBe(path.join(gw.dataDir, 'tls', 'https-cert.pem'));
    expect(statSync(path.join(gw.dataDir, 'tls', 'https-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(gw.dataDir, 'tls')).mode & 0o077).toBe(0);
  });

  it('sends a Mimecast message over HTTPS that is delivered like one over HTTP', async () => {
    const before = sink.messages.length;
    const overTls = await mcPost(gw.httpsUrl, keys, '/api/email/send-email', send('sent over https'), {}, gw.tlsFetch);
    expect(overTls.status).toBe(200);
    expect(overTls.body.fail).toEqual([]);
    const plain = await mcPost(gw.url, keys, '/api/email/send-email', send('sent over http'));
    expect(plain.status).toBe(200);
    const delivered = (await sink.waitForMessages(before + 2)).slice(before);
    const subjects = await Promise.all(delivered.map(async (m) => (await simpleParser(m.raw)).subject));
    expect(subjects.sort()).toEqual(['sent over http', 'sent over https']);
  });

  it('shares one rate-limit budget between the HTTP and HTTPS ports', async () => {
    const limited = await gw.user('limited@example.test');
    const uri = '/api/email/send-email';
    const rows = await gw.countRows('messages');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await (i % 2 ? mcPost(gw.url, limited, uri, '{"data":[]}') : mcPost(gw.httpsUrl, limited, uri, '{"data":[]}', {}, gw.tlsFetch));
      statuses.push(res.status);
    }
    const over = await mcPost(gw.httpsUrl, limited, uri, send('over the limit'), {}, gw.tlsFetch);
    const overPlain = await mcPost(gw.url, limited, uri, send('over the limit'));
    expect(statuses.every((s) => s !== 429)).toBe(true);
    expect([over.status, overPlain.status]).toEqual([429, 429]);
    expect(await gw.countRows('messages')).toBe(rows);
  });

  it('keeps a connection alive across requests', async () => {
    const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 1 });
    try {
      const first = await httpsGet(`${gw.httpsUrl}/healthz`, agent);
      const second = await httpsGet(`${gw.httpsUrl}/healthz`, agent);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(JSON.parse(second.body)).toMatchObject({ status: 'ok' });
      expect([first.reused, second.reused]).toEqual([false, true]);
    } finally {
      agent.destroy();
    }
  });

  it('serves the LINE WORKS port over TLS with the same certificate', async () => {
    const worksPort = gw.server.worksPort as number;
    expect((await handshake({ port: worksPort, ca, servername: 'localhost' })).fingerprint).toBe(fileFingerprint(gw.caFile));
    const res = await gw.tlsFetch(`https://127.0.0.1:${worksPort}/healthz`);
    expect(res.status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${worksPort}/healthz`)).rejects.toThrow();
  });

  it('offers the same certificate for SMTP STARTTLS', async () => {
    const socket = connect(gw.server.smtpPort, '127.0.0.1');
    const lines: string[] = [];
    socket.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk));
    const reply = async (code: string) => {
      while (!lines.join('').split('\r\n').some((l) => l.startsWith(`${code} `))) await once(socket, 'data');
      lines.length = 0;
    };
    await reply('220');
    socket.write('EHLO client.test\r\n');
    await reply('250');
    socket.write('STARTTLS\r\n');
    await reply('220');
    socket.removeAllListeners('data');
    const upgraded = await handshake({ socket, ca, servername: 'gateway.test' });
    expect(upgraded.fingerprint).toBe(fileFingerprint(gw.caFile));
  });
});

describe('configured certificate files', () => {
  it('serves MAILGATE_HTTP_TLS_CERT/KEY instead of generating one', async () => {
    const temp = await withTempDir();
    const made = await generateSelfSignedCertificate(['127.0.0.1', 'configured.test']);
    writeFileSync(path.join(temp.dir, 'cert.pem'), made.cert);
    writeFileSync(path.join(temp.dir, 'key.pem'), made.key, { mode: 0o600 });
    const configured = await startTestGateway({
      MAILGATE_HTTP_TLS_CERT: path.join(temp.dir, 'cert.pem'),
      MAILGATE_HTTP_TLS_KEY: path.join(temp.dir, 'key.pem'),
    });
    try {
      expect(configured.caFile).toBe(path.join(temp.dir, 'cert.pem'));
      const served = await handshake({ port: configured.server.httpsPort, ca: made.cert, servername: 'configured.test' });
      expect(served.fingerprint).toBe(fileFingerprint(path.join(temp.dir, 'cert.pem')));
      expect((await configured.tlsFetch(`${configured.httpsUrl}/healthz`)).status).toBe(200);
    } finally {
      await configured.stop();
      await temp.remove();
    }
  });
});

describe('a listener that cannot bind', () => {
  it('closes the listeners already opened and rethrows', async () => {
    const taken: Server = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const free = async () => {
      const probe = createServer().listen(0, '127.0.0.1');
      await once(probe, 'listening');
      const { port: p } = probe.address() as { port: number };
      await new Promise((resolve) => probe.close(resolve));
      return p;
    };
    const [httpPort, httpsPort] = [await free(), await free()];
    const temp = await withTempDir();
    try {
      const config = loadConfig({
        MAILGATE_DATA_DIR: temp.dir,
        MAILGATE_HTTP_PORT: String(httpPort),
        MAILGATE_HTTPS_PORT: String(httpsPort),
        MAILGATE_WORKS_PORT: String((taken.address() as { port: number }).port),
        MAILGATE_SMTP_PORT: '0',
        MAILGATE_LOG_LEVEL: 'silent',
      });
      await expect(startServer(config)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      for (const p of [httpPort, httpsPort]) {
        const probe = connect(p, '127.0.0.1');
        const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
        expect(error.code, `port ${p}`).toBe('ECONNREFUSED');
      }
      // The store was closed too: a new gateway opens the same data dir.
      const again = await startServer({ ...config, worksPort: undefined, httpPort: 0, httpsPort: 0 });
      await again.close();
    } finally {
      taken.close();
      await temp.remove();
    }
  });
});

