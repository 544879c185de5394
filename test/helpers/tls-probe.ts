/** Low-level TLS probes: which certificate a port presents, and plain https requests with a chosen agent. */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** SHA-256 fingerprint of a PEM certificate file, in Node's `AA:BB:…` form. */
export function fileFingerprint(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}

/** Completes a handshake and answers the peer certificate's fingerprint and the protocol; rejects on any TLS error. */
export async function handshake(options: ConnectionOptions): Promise<{ fingerprint: string; protocol: string | null }> {
  const socket: TLSSocket = connect({ host: '127.0.0.1', ...options });
  try {
    await Promise.race([once(socket, 'secureConnect'), once(socket, 'error').then(([error]: unknown[]) => Promise.reject(error as Error))]);
    return { fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? '', protocol: socket.getProtocol() };
  } finally {
    socket.destroy();
  }
}

export interface HttpsAnswer {
  status: number;
  body: string;
  /** True when the request went over a connection an earlier request had used (keep-alive). */
  reused: boolean;
  fingerprint: string;
}

// A kept-alive socket reports no peer certificate on later requests: remember what its handshake showed.
const seen = new WeakMap<TLSSocket, string>();

/** One GET with node:https, as a client that passes `ca` and an agent does. */
export function httpsGet(url: string, agent: https.Agent): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent }, (res) => {
      // Read now: after the body the socket goes back to the agent or is destroyed.
      const socket = res.socket as TLSSocket;
      const fingerprint = seen.get(socket) ?? socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      seen.set(socket, fingerprint);
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), reused: req.reusedSocket, fingerprint }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
