/** The STARTTLS key and certificate: the configured PEM files, or one generated once per data dir. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { generateSelfSignedCertificate } from './self-signed-cert.js';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  /** True when generated here (self-signed). */
  generated: boolean;
}

export function loadTlsMaterial(config: Pick<Config, 'smtpTlsCert' | 'smtpTlsKey' | 'dataDir' | 'hostname'>): TlsMaterial {
  if (config.smtpTlsCert && config.smtpTlsKey) {
    return { cert: readFileSync(config.smtpTlsCert), key: readFileSync(config.smtpTlsKey), generated: false };
  }
  const dir = path.join(config.dataDir, 'tls');
  const keyFile = path.join(dir, 'smtp-key.pem');
  const certFile = path.join(dir, 'smtp-cert.pem');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    const made = generateSelfSignedCertificate(config.hostname);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, made.key, { mode: 0o600 });
    writeFileSync(certFile, made.cert, { mode: 0o600 });
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), generated: true };
}
