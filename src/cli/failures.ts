/**
 * Failures an operator causes or can fix, as one line naming the setting or command that fixes
 * them (no stack trace): a busy or privileged port, a database that cannot be opened or lacks the
 * mailgate schema. Anything else is left to the caller.
 */
import path from 'node:path';
import type { Config } from '../config/config.js';

interface SystemError {
  code?: string;
  port?: number;
  message?: string;
}

/** The setting that chose a listening port. */
function portSetting(config: Config, port: number | undefined): string {
  const settings: Array<[string, number | undefined]> = [
    ['MAILGATE_HTTP_PORT', config.httpPort],
    ['MAILGATE_HTTPS_PORT', config.httpsPort],
    ['MAILGATE_SMTP_PORT', config.smtpPort],
    ['MAILGATE_WORKS_PORT', config.worksPort],
  ];
  return settings.find(([, value]) => value === port)?.[0] ?? 'a MAILGATE_*_PORT setting';
}

// better-sqlite3's codes for a file that is not a usable database, and PostgreSQL's SQLSTATEs for
// a schema that is missing or cannot be written (3F000 invalid_schema_name, 42P01 undefined_table,
// 42501 insufficient_privilege, 3D000 invalid_catalog_name).
const SQLITE_OPEN = new Set(['SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_READONLY', 'SQLITE_PERM']);
const POSTGRES_SCHEMA = new Set(['3F000', '42P01', '42501', '3D000']);

/** The one line for an operator's failure, or undefined when the error is not one. */
export function operatorFailure(error: unknown, config: Config | undefined): string | undefined {
  // A failed migration wraps the database's error (migrate.ts); its code is the cause's.
  const wrapped = (error ?? {}) as SystemError & { cause?: unknown };
  const failure = (wrapped.code === undefined && wrapped.cause ? wrapped.cause : wrapped) as SystemError;
  const code = failure.code ?? '';
  if (config && (code === 'EADDRINUSE' || code === 'EACCES') && failure.port !== undefined) {
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this user lacks';
    return `port ${failure.port} ${why} (${portSetting(config, failure.port)})`;
  }
  if (config && !config.databaseUrl && SQLITE_OPEN.has(code)) {
    const file = path.join(config.dataDir, 'mailgate.sqlite');
    return `cannot open the SQLite database ${file} (${failure.message ?? code}); check MAILGATE_DATA_DIR, then run \`mailgate migrate\``;
  }
  if (config?.databaseUrl && POSTGRES_SCHEMA.has(code)) {
    return `the PostgreSQL database has no usable mailgate schema (${failure.message ?? code}); create the schema MAILGATE_DATABASE_URL names, grant this user CREATE on it, then run \`mailgate migrate\``;
  }
  return undefined;
}
