/** DKIM key generation and the DNS TXT record that publishes the public half. */
import { generateKeyPairSync } from 'node:crypto';
import { MailgateError } from '../core/errors.js';

export type DkimAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

export interface GeneratedDkimKey {
  /** PKCS#8 PEM, to be sealed with the secret box before storage. */
  privateKeyPem: string;
  /** The base64 value for the record's `p=` tag. */
  publicKey: string;
}

// An Ed25519 SubjectPublicKeyInfo is this fixed 12-byte prefix followed by the raw 32-byte key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Generates a signing key; `bits` applies to RSA only. */
export function generateDkimKey(algorithm: DkimAlgorithm, bits = 2048): GeneratedDkimKey {
  if (algorithm === 'ed25519-sha256') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    if (spki.length !== 44 || !spki.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
      throw new Error('unexpected Ed25519 public key encoding');
    }
    return {
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      // RFC 8463 3: p= carries the bare 32-byte key, not an SPKI structure.
      publicKey: spki.subarray(12).toString('base64'),
    };
  }
  if (algorithm !== 'rsa-sha256') throw new MailgateError('invalid_value', `unknown DKIM algorithm ${String(algorithm)}`, 'algorithm');
  // RFC 8301 3.2: verifiers must reject keys under 1024 bits; beyond 4096 a TXT record gets unwieldy.
  if (!Number.isInteger(bits) || bits < 1024 || bits > 4096) {
    throw new MailgateError('invalid_value', 'RSA DKIM keys must be 1024 to 4096 bits', 'bits');
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    // SubjectPublicKeyInfo DER is what every verifier (and mailauth) reads from p= for RSA.
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

/** The TXT record value for `<selector>._domainkey.<domain>`. */
export function dkimDnsRecord(algorithm: DkimAlgorithm, publicKey: string): string {
  const k = algorithm === 'ed25519-sha256' ? 'ed25519' : 'rsa';
  return `v=DKIM1; k=${k}; p=${publicKey}`;
}
