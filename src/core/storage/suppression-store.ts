/** The storage side of the suppression list: addresses client mail is not sent to (docs/bounces.md). */

export interface SuppressionRecord {
  /** Lower-cased address. */
  address: string;
  /** Why: the remote's reply for a hard bounce, or the operator's note. */
  reason: string;
  /** The message whose bounce added the address, if one did. */
  sourceMessageId: string | null;
  /** `system` for bounces, else the operator. */
  createdBy: string;
  createdAt: number;
  /** Null: until removed. */
  expiresAt: number | null;
}

export interface SuppressionStore {
  /** Adds the address, or replaces its entry (a new bounce renews it). */
  putSuppression(entry: SuppressionRecord): Promise<void>;
  /** False when the address was not on the list. */
  removeSuppression(address: string): Promise<boolean>;
  /** Entries in force at `now`, by address. */
  listSuppressions(now: number): Promise<SuppressionRecord[]>;
  /** The entries in force at `now` among these (lower-cased) addresses. */
  findSuppressions(addresses: readonly string[], now: number): Promise<SuppressionRecord[]>;
}
