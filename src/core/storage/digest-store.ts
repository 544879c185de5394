/** The storage side of recipients' own quarantine (docs/quarantine-digest.md). */
import type { HoldActionResult, RecipientRelease } from '../held-review.js';
import type { SenderList } from './inbound-store.js';

/** A held message as one recipient's digest lists it. */
export interface DigestItem {
  recipient: string;
  messageId: string;
  mailFrom: string;
  fromHeader: string;
  subject: string;
  receivedAt: number;
  /** The spam score the scan gave, when the message was scanned. */
  spamScore: number | null;
}

/** A recipient's own permitted or blocked sender: it affects only mail to that recipient. */
export interface RecipientSenderEntry {
  id: string;
  recipient: string;
  list: SenderList;
  pattern: string;
  createdAt: number;
}

export interface DigestQuery {
  /** Only recipients in these domains (lower case). */
  domains: readonly string[];
  /** Only holds with these reason ids (the recipient-releasable ones). */
  reasonIds: readonly string[];
  recipient?: string;
  /** At most this many items per call, oldest recipients' mail first. */
  limit: number;
}

export interface DigestStore {
  /** Recipients still held (their own status `held`) on a hold with one of the reasons, in the domains. */
  listDigestItems(query: DigestQuery): Promise<DigestItem[]>;
  /**
   * Claims the scheduled digest of `recipient` for `period`; false when another pass already did.
   * `writer` identifies this write across retries of an unknown commit (docs/retries.md).
   */
  claimDigest(recipient: string, period: number, now: number, writer?: string): Promise<boolean>;
  /** Gives a claim back (the digest could not be queued), so a later pass sends it. */
  unclaimDigest(recipient: string, period: number): Promise<void>;
  /** Marks a link token used; false when it already was (atomic: of two concurrent uses one wins). */
  useDigestLink(tokenId: string, now: number, expiresAt: number, writer?: string): Promise<boolean>;
  /** Whether a token was used (for the confirmation page; acting relies on useDigestLink alone). */
  digestLinkUsed(tokenId: string): Promise<boolean>;
  /** Makes a token usable again after its action failed for a reason the recipient did not cause. */
  forgetDigestLink(tokenId: string): Promise<void>;
  /** Forgets used tokens that have expired anyway (they are refused as expired) and claims of periods before `period`. */
  pruneDigestRecords(now: number, period: number): Promise<number>;
  /** Replaces the recipient's entry for the pattern (a later choice wins over an earlier one). */
  putRecipientSender(entry: RecipientSenderEntry): Promise<void>;
  /** The entries of these recipients (lower case). */
  listRecipientSenders(recipients: readonly string[]): Promise<RecipientSenderEntry[]>;
  /**
   * Queues one held recipient of a message, with its event and audit entry in one commit; the
   * hold is released when no recipient is left held, else it waits for the others' review.
   */
  releaseHeldRecipient(release: RecipientRelease): Promise<HoldActionResult>;
}
