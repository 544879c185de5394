/**
 * Files at rest are the gateway's alone (docs/files-at-rest.md): the data dir 0700, the database
 * files and master.key 0600. A data dir made by an older version or by hand is tightened at start,
 * and the log says which paths changed; a master key others could read is also warned about, since
 * it may have been copied already.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** The SQLite database and its WAL files, which hold every message's metadata. */
const DATABASE_FILES = ['mailgate.sqlite', 'mailgate.sqlite-wal', 'mailgate.sqlite-shm'];
/** Directories the gateway writes (blobs, captured mail, the generated TLS key). */
const PRIVATE_DIRS = ['blobs', 'capture', 'tls'];

/** Group or other bits set: the path is readable (or more) by someone else. */
function isShared(file: string): boolean {
  return (statSync(file).mode & 0o077) !== 0;
}

/** Creates the data dir 0700, or tightens an existing one. Call before anything writes into it. */
export function prepareDataDir(dataDir: string, log: Logger): void {
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR });
    return;
  }
  if (isShared(dataDir)) {
    chmodSync(dataDir, PRIVATE_DIR);
    log.warn({ path: dataDir, mode: '0700' }, 'data dir was accessible to other users; tightened');
  }
}

/**
 * Tightens the files the store and the key loader made. `keyFromEnv`: MAILGATE_MASTER_KEY is set,
 * so any master.key file is not the one in use and is left alone.
 */
export function tightenDataFiles(dataDir: string, log: Logger, keyFromEnv: boolean): void {
  const keyFile = path.join(dataDir, 'master.key');
  if (!keyFromEnv && existsSync(keyFile) && isShared(keyFile)) {
    log.warn(
      { path: keyFile },
      'master.key was readable by other users: anyone who copied it can decrypt the stored secrets; it is now 0600. ' +
        'Consider keeping the key outside the data dir in MAILGATE_MASTER_KEY (README, Files at rest) and replacing it',
    );
    chmodSync(keyFile, PRIVATE_FILE);
  }
  const tightened: string[] = [];
  for (const name of DATABASE_FILES) {
    const file = path.join(dataDir, name);
    if (existsSync(file) && isShared(file)) {
      chmodSync(file, PRIVATE_FILE);
      tightened.push(file);
    }
  }
  for (const name of PRIVATE_DIRS) {
    const dir = path.join(dataDir, name);
    if (existsSync(dir) && isShared(dir)) {
      chmodSync(dir, PRIVATE_DIR);
      tightened.push(dir);
    }
  }
  if (tightened.length > 0) log.warn({ paths: tightened }, 'data files were accessible to other users; tightened to 0600 (directories 0700)');
}
