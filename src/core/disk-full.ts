/**
 * A full data dir (or database disk) is a temporary condition, not an internal error: what failed
 * for want of space is refused as `insufficient_storage` (SMTP 452 4.3.1, HTTP 503 + Retry-After),
 * warned about once per episode, and the next write that succeeds ends the episode
 * (docs/full-disk.md).
 */
import { MailgateError } from './errors.js';

/**
 * ENOSPC/EDQUOT from the file system, SQLITE_FULL from better-sqlite3 (also under its extended
 * codes), and PostgreSQL's class 53100 `disk_full`, found on the error or its `cause` chain.
 */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') return true;
    if (typeof code === 'string' && code.startsWith('SQLITE_FULL')) return true;
  }
  return false;
}

/** The two log calls the guard makes (a pino logger fits). */
export interface SpaceLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface DiskSpaceGuard {
  /** Runs a write; a disk-full failure becomes `insufficient_storage`, anything else passes through. */
  run<T>(write: () => Promise<T>): Promise<T>;
  /** True from a disk-full failure until the next write that succeeds. */
  readonly short: boolean;
}

export function createDiskSpaceGuard(log: SpaceLog, now: () => number = Date.now): DiskSpaceGuard {
  let shortSince: number | undefined;
  let refused = 0;
  return {
    async run(write) {
      try {
        const result = await write();
        if (shortSince !== undefined) {
          log.info({ shortForMs: now() - shortSince, refused }, 'disk space is back: accepting mail again');
          shortSince = undefined;
          refused = 0;
        }
        return result;
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        refused += 1;
        if (shortSince === undefined) {
          shortSince = now();
          // Once per episode: a full disk under load would otherwise write a line per request to the same disk.
          log.warn({ err: error }, 'disk full: refusing mail as a temporary failure (452 4.3.1 / 503) until space is freed');
        }
        throw new MailgateError('insufficient_storage');
      }
    },
    get short() {
      return shortSince !== undefined;
    },
  };
}
