/**
 * Which PostgreSQL failures are worth retrying: the connection went away (server restart, network,
 * failover) or the transaction was rolled back by the server (deadlock, serialisation). Anything
 * else is a real error and is reported at once.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections;
// 40001/40P01: serialisation failure, deadlock (the transaction was rolled back, so a retry is safe).
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
// node-postgres reports a lost socket or a connect timeout only in the message.
const MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect|not queryable/i;

export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  return typeof message === 'string' && MESSAGES.test(message);
}

/** A unique violation of `constraint`: for inserts with fresh ids, proof that an earlier try committed. */
export function isDuplicateOf(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === constraint;
}
