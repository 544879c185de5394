/**
 * The one send-as rule (docs/sender-authority.md). Every way in hands ingest() the authenticated
 * principal; the envelope sender, every From address and every Sender address must be the
 * principal's own address or one delegated to it. An application acting with application
 * permissions may send as any mailbox of a local domain. Reply-To stays free, as in Exchange.
 */
import { MailgateError } from './errors.js';
import type { Principal } from './message.js';

/** Who owns which addresses: the answers the rule needs from the identity records. */
export interface SenderDirectory {
  /** Addresses delegated to the user (`mailgate user delegate`), any case. */
  delegationsOf(userId: string): Promise<readonly string[]>;
  /** True when a mailbox (user) with this address exists. */
  isMailbox(address: string): Promise<boolean>;
}

/** The addresses a message claims to come from, with the wire field each was read from. */
export interface ClaimedSender {
  address: string;
  field: string;
}

function domainOfAddress(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Throws `sender_forbidden` (naming the field) for the first claimed address the principal may not use. */
export async function assertMaySendAs(
  principal: Principal,
  claimed: readonly ClaimedSender[],
  deps: { directory: SenderDirectory; isLocal(domain: string): boolean },
): Promise<void> {
  const own = principal.email.toLowerCase();
  let delegations: Set<string> | undefined;
  for (const { address, field } of claimed) {
    const wanted = address.trim().toLowerCase();
    if (wanted === '' || wanted === own) continue;
    delegations ??= new Set((await deps.directory.delegationsOf(principal.userId)).map((a) => a.toLowerCase()));
    if (delegations.has(wanted)) continue;
    if (principal.app && deps.isLocal(domainOfAddress(wanted)) && (await deps.directory.isMailbox(wanted))) continue;
    throw new MailgateError('sender_forbidden', `${principal.email} may not send as ${address}`, field);
  }
}

/** True when any claimed address is in a local domain: mail from outside may not claim one. */
export function claimsLocalDomain(claimed: readonly ClaimedSender[], isLocal: (domain: string) => boolean): ClaimedSender | undefined {
  return claimed.find((c) => c.address !== '' && isLocal(domainOfAddress(c.address)));
}
