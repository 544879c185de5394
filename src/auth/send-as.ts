/** Who may appear as a message's sender: the user themself or an address delegated to them (`user delegate`). */
import { MailgateError } from '../core/errors.js';
import type { UserRecord } from '../store/store.js';

/** Throws `sender_forbidden` unless `user` may send as `address`. */
export function assertMaySendAs(user: UserRecord, delegations: readonly string[], address: string, field: string): void {
  const wanted = address.trim().toLowerCase();
  if (wanted !== user.email && !delegations.includes(wanted)) {
    throw new MailgateError('sender_forbidden', `${user.email} may not send as ${address}`, field);
  }
}
