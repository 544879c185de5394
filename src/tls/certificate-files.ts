/**
 * Where the listeners' TLS key and certificate come from: configured PEM files, or the certificate
 * generated once per data dir (`<data>/tls/https-cert.pem`, key beside it, 0600) for
 * MAILGATE_HOSTNAME and the loopback names, which the HTTPS, LINE WORKS and SMTP listeners share.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSelfSignedCertificate } from './self-signed.js';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  /** True when mailgate generated the pair (self-signed): clients trust `certFile` itself. */
  generated: boolean;
}

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
}

/** The generated pair's paths in a data dir. */
export function generatedCertificateFiles(dataDir: string): CertificateFiles {
  const dir = path.join(dataDir, 'tls');
  return { certFile: path.join(dir, 'https-cert.pem'), keyFile: path.join(dir, 'https-key.pem'), generated: true };
}

/** The generated pair, made on first use; the names are those a local client dials. */
export async function ensureGeneratedCertificate(dataDir: string, hostname: string): Promise<CertificateFiles> {
  const files = generatedCertificateFiles(dataDir);
  if (existsSync(files.certFile) && existsSync(files.keyFile)) return files;
  const made = await generateSelfSignedCertificate([hostname, 'localhost', '127.0.0.1', '::1']);
  await mkdir(path.dirname(files.keyFile), { recursive: true, mode: 0o700 });
  // Written aside and renamed, so a crash never leaves a half-written key that a later start would use.
  await writeFile(`${files.keyFile}.tmp`, made.key, { mode: 0o600 });
  await chmod(`${files.keyFile}.tmp`, 0o600);
  await rename(`${files.keyFile}.tmp`, files.keyFile);
  await writeFile(`${files.certFile}.tmp`, made.cert, { mode: 0o644 });
  await rename(`${files.certFile}.tmp`, files.certFile);
  return files;
}

/** Configured files when both are set, else the generated pair. */
export async function certificateFiles(
  configured: { cert: string | undefined; key: string | undefined },
  dataDir: string,
  hostname: string,
): Promise<CertificateFiles> {
  if (configured.cert && configured.key) return { certFile: configured.cert, keyFile: configured.key, generated: false };
  return ensureGeneratedCertificate(dataDir, hostname);
}

/** Reads the PEM pair now (at start and on every reload). */
export async function readTlsMaterial(files: CertificateFiles): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  return { cert, key };
}
