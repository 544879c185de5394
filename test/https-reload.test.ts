/**
 * Certificate reload on SIGHUP, on a real `mailgate serve` process: while a bounded request loop
 * runs over kept-alive and new connections, the configured PEM files are replaced and SIGHUP sent.
 * No request may fail, and new connections then see the new certificate.
 */
import { X509Certificate } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSignedCertificate, type GeneratedCertificate } from '../src/tls/self-signed.js';
import { spawnGateway, type GatewayProcess } from './helpers/gateway-process.js';
import { withTempDir } from './helpers/temp-dir.js';
import { handshake, httpsGet, type HttpsAnswer } from './helpers/tls-probe.js';
import { waitFor } from './helpers/wait-for.js';

const REQUESTS = 200;
const SWAP_AT = 60;

let temp: { dir: string; remove(): Promise<void> };
let gateway: GatewayProcess;
let first: GeneratedCertificate;
let second: GeneratedCertificate;
const certFile = () => path.join(temp.dir, 'cert.pem');
const keyFile = () => path.join(temp.dir, 'key.pem');

/** Replaces both files the way an operator's renewal job does: written aside, renamed into place. */
function install(pair: GeneratedCertificate): void {
  writeFileSync(`${keyFile()}.new`, pair.key, { mode: 0o600 });
  writeFileSync(`${certFile()}.new`, pair.cert);
  renameSync(`${keyFile()}.new`, keyFile());
  renameSync(`${certFile()}.new`, certFile());
}

beforeAll(async () => {
  temp = await withTempDir();
  [first, second] = await Promise.all([
    generateSelfSignedCertificate(['127.0.0.1', 'first.test']),
    generateSelfSignedCertificate(['127.0.0.1', 'second.test']),
  ]);
  install(first);
  gateway = await spawnGateway({
    MAILGATE_DATA_DIR: path.join(temp.dir, 'data'),
    MAILGATE_HTTP_TLS_CERT: certFile(),
    MAILGATE_HTTP_TLS_KEY: keyFile(),
  });
});

afterAll(async () => {
  await gateway?.stop();
  await temp?.remove();
});

describe('SIGHUP', () => {
  it('swaps the certificate under load without a failed request; new connections get the new one', async () => {
    const ca = [first.cert, second.cert];
    const oldPrint = new X509Certificate(first.cert).fingerprint256;
    const newPrint = new X509Certificate(second.cert).fingerprint256;
    expect(gateway.certFile).toBe(certFile());
    const port = Number(new URL(gateway.httpsUrl).port);
    expect((await handshake({ port, ca })).fingerprint).toBe(oldPrint);

    // No TLS session cache: a resumed session shows no peer certificate, and every new connection here must do a full handshake.
    const kept = new https.Agent({ ca, keepAlive: true, maxSockets: 2, maxCachedSessions: 0 });
    const fresh = new https.Agent({ ca, keepAlive: false, maxCachedSessions: 0 });
    const answers: HttpsAnswer[] = [];
    const failures: unknown[] = [];
    let next = 0;
    let swapped = false;
    // Four clients in parallel, alternating a kept-alive and a new connection per request.
    const client = async () => {
      while (next < REQUESTS) {
        const n = next++;
        if (n === SWAP_AT && !swapped) {
          swapped = true;
          install(second);
          gateway.child.kill('SIGHUP');
        }
        try {
          answers.push(await httpsGet(`${gateway.httpsUrl}/healthz`, n % 2 ? kept : fresh));
        } catch (error) {
          failures.push(error);
        }
      }
    };
    try {
      await Promise.all([client(), client(), client(), client()]);
      expect(failures).toEqual([]);
      expect(answers).toHaveLength(REQUESTS);
      expect(answers.every((a) => a.status === 200 && (a.fingerprint === oldPrint || a.fingerprint === newPrint))).toBe(true);
      // Connections kept alive from before the swap went on working with the old certificate.
      expect(answers.some((a) => a.reused && a.fingerprint === oldPrint)).toBe(true);
      // SIGHUP is asynchronous: poll new connections until the new certificate is served.
      await waitFor(async () => (await handshake({ port, ca })).fingerprint === newPrint, 'the new certificate on new connections', 10_000);
      const after = await httpsGet(`${gateway.httpsUrl}/healthz`, fresh);
      expect([after.status, after.fingerprint]).toEqual([200, newPrint]);
      expect((await handshake({ port, ca: second.cert, servername: 'second.test' })).fingerprint).toBe(newPrint);
    } finally {
      kept.destroy();
      fresh.destroy();
    }
  });
});
