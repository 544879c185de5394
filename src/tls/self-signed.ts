/**
 * A self-signed ECDSA P-256 certificate, built with @peculiar/x509 (no hand-written DER).
 * It names the gateway's hostname and the loopback names (DNS localhost, IP 127.0.0.1 and ::1), so
 * a client on the same machine verifies it once it trusts this very certificate as its CA; between
 * MTAs, opportunistic STARTTLS does not verify certificates at all (RFC 7435).
 */
import { isIP } from 'node:net';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto is the standard one; its type declarations differ from the DOM's only in overloads.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface GeneratedCertificate {
  /** PKCS#8 PEM. */
  key: string;
  /** PEM. */
  cert: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** Names each as DNS or IP by its form; the first is also the subject CN. */
export async function generateSelfSignedCertificate(names: readonly string[], days = 3650, now = new Date()): Promise<GeneratedCertificate> {
  const [first] = names;
  if (first === undefined) throw new Error('a certificate needs at least one name');
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive INTEGER (RFC 5280 4.1.2.2)
  const altNames = [...new Set(names)].map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value }));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [first] }],
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + days * DAY),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.SubjectAlternativeNameExtension(altNames),
      // A CA flag lets strict clients (Java's trust store, OpenSSL's chain builder) use it as its own anchor.
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      // Key identifiers tell a client that trusts an old and a renewed certificate of the same name which one signed.
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pem = cert.toString('pem');
  // Parsing it back with Node's own X.509 reader proves the encoding before anything relies on it.
  new X509Certificate(pem);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { key, cert: pem.endsWith('\n') ? pem : `${pem}\n` };
}
