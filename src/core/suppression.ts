/** The suppression rule, applied once for every way in (docs/bounces.md). */
import { MailgateError } from './errors.js';

/** The store lookup the rule needs. */
export interface SuppressionLookup {
  findSuppressions(addresses: readonly string[], now: number): Promise<Array<{ address: string; reason: string }>>;
}

/** Refuses when any of the addresses is suppressed at `now`, naming them and the first reason. */
export async function assertNotSuppressed(addresses: readonly string[], lookup: SuppressionLookup, now: number, field = 'to'): Promise<void> {
  const found = await lookup.findSuppressions([...new Set(addresses.map((a) => a.toLowerCase()))], now);
  const first = found[0];
  if (!first) return;
  const names = found.map((f) => f.address).join(', ');
  throw new MailgateError('recipient_suppressed', `${names} ${found.length > 1 ? 'are' : 'is'} on the suppression list (${first.reason})`, field);
}
