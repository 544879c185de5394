/**
 * Encrypts secrets that must be recoverable (Mimecast secret/app keys feed the HMAC, DKIM private
 * keys feed the signer) with AES-256-GCM under a master key that never enters the database:
 * MAILGATE_MASTER_KEY (base64, 32 bytes) or `<dataDir>/master.key`, created 0600 on first use.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config.js';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
  /** A 32-byte key for one purpose (HKDF-SHA256 of the master key, RFC 5869): a new master key changes it. */
  deriveKey(purpose: string): Buffer;
}

const VERSION = 'v1';

/**
 * Secrets opened by a box are kept, by their sealed text, in its memory: the Mimecast keys are
 * opened for every signed request. A sealed text always opens to the same secret under one key
 * (a new secret or master key is a new sealed text), so nothing kept goes stale.
 */
const OPENED_KEPT = 1024;

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the master key must be 32 bytes');
  const opened = new Map<string, string>();
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    open(sealed) {
      const known = opened.get(sealed);
      if (known !== undefined) return known;
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
      if (opened.size >= OPENED_KEPT) opened.clear();
      opened.set(sealed, plain);
      return plain;
    },
    deriveKey(purpose) {
      return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `mailgate ${purpose}`, 32));
    },
  };
}

export function loadMasterKey(dataDir: string, env: Record<string, string | undefined> = process.env): Buffer {
  const fromEnv = env.MAILGATE_MASTER_KEY;
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new ConfigError('MAILGATE_MASTER_KEY', 'must be 32 bytes, base64-encoded');
    return key;
  }
  const file = path.join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first; read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError('MAILGATE_MASTER_KEY', `${file} does not hold a 32-byte base64 key`);
  return key;
}
