/**
 * A recipient's own permitted and blocked senders (chosen from the quarantine digest,
 * docs/quarantine-digest.md) applied on top of the policies' per-recipient decisions: they change
 * only that recipient's outcome. A block refuses that recipient at SMTP RCPT TO when the envelope
 * sender matches, and otherwise (a header From match, an API send) holds the message for that
 * recipient, refusing the whole message when every recipient blocked the sender; a permit lifts a spam, DMARC or blocklist hold,
 * as a global permitted sender does, but never a content, attachment or address policy's.
 */
import { matchesAddressPattern } from './address-pattern.js';
import type { HoldDecision, Policy, PolicyKind } from './policy.js';
import type { RecipientSenderEntry } from './storage/digest-store.js';
import type { SenderList } from './storage/inbound-store.js';

/** The hold a recipient's own block places on that recipient's copy. */
export const RECIPIENT_BLOCK_DECISION: HoldDecision = {
  policyId: 'recipient-blocked-sender',
  policyInfo: "Recipient's blocked sender",
  reason: 'Message Hold Applied - Recipient blocked sender',
  reasonId: 'MESSAGE_HOLD_APPLIED_RECIPIENT_BLOCKED_SENDER',
  reasonCode: 'message_hold_applied_recipient_blocked_sender',
  heldGroup: 'admin',
};

/** The kinds a permitted sender bypasses (core/policy.ts). */
const PERMIT_BYPASSES: readonly PolicyKind[] = ['spam', 'dmarc', 'dnsbl'];

export interface RecipientChoicesInput {
  recipients: readonly string[];
  /** The envelope sender and the header From address ('' entries are ignored). */
  senders: readonly string[];
  entries: readonly RecipientSenderEntry[];
  policies: readonly Policy[];
}

/** The recipient's own choice about these senders: a block wins over a permit for another of them. */
export function recipientChoice(entries: readonly RecipientSenderEntry[], recipient: string, senders: readonly string[]): SenderList | undefined {
  const own = entries.filter((e) => e.recipient === recipient.toLowerCase() && senders.some((s) => matchesAddressPattern(e.pattern, s)));
  if (own.some((e) => e.list === 'blocked')) return 'blocked';
  return own.length > 0 ? 'permitted' : undefined;
}

/** Adjusts `holds` (keyed by recipient as given) in place; answers whether every recipient blocked the sender. */
export function applyRecipientChoices(holds: Map<string, HoldDecision>, input: RecipientChoicesInput): { allBlocked: boolean } {
  const kindOf = new Map(input.policies.map((p) => [p.id, p.kind]));
  let blocked = 0;
  for (const recipient of input.recipients) {
    const choice = recipientChoice(input.entries, recipient, input.senders);
    if (choice === 'blocked') {
      holds.set(recipient, RECIPIENT_BLOCK_DECISION);
      blocked += 1;
      continue;
    }
    const decision = holds.get(recipient);
    const kind = decision && kindOf.get(decision.policyId);
    if (choice === 'permitted' && kind && PERMIT_BYPASSES.includes(kind)) holds.delete(recipient);
  }
  return { allBlocked: input.recipients.length > 0 && blocked === input.recipients.length };
}
