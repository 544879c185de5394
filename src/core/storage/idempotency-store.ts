/** The storage side of idempotent retries: one claimed key per request, then its first 2xx answer (docs/retries.md). */

/** A remembered request: pending while the first one runs, then its answer. */
export interface IdempotencyRecord {
  key: string;
  fingerprint: string;
  state: 'pending' | 'done';
  /** Set once done. */
  answer?: IdempotentAnswer;
  createdAt: number;
  expiresAt: number;
}

/** What a retry gets back: the first answer's status, Content-Type and bytes. */
export interface IdempotentAnswer {
  status: number;
  contentType: string | null;
  body: Buffer;
}

export interface IdempotencyClaim {
  key: string;
  /** Identifies this claim, so a request that lost its key to a takeover cannot complete or release the new one. */
  owner: string;
  fingerprint: string;
  now: number;
  expiresAt: number;
  /** A pending claim created before this is abandoned (its process died) and may be taken over. */
  staleBefore: number;
}

export interface IdempotencyStore {
  /** Claims the key (insert-or-conflict, atomic across processes); otherwise answers the live record holding it. */
  claimIdempotencyKey(claim: IdempotencyClaim): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord }>;
  /** The live (unexpired) record of a key, if any. */
  findIdempotencyKey(key: string, now: number): Promise<IdempotencyRecord | undefined>;
  /** Stores the answer of the claim's request. */
  completeIdempotencyKey(key: string, owner: string, answer: IdempotentAnswer): Promise<void>;
  /** Forgets the claim (the request failed and may be retried for real). */
  releaseIdempotencyKey(key: string, owner: string): Promise<void>;
  /** Deletes expired records; resolves with how many. */
  purgeIdempotencyKeys(now: number): Promise<number>;
}
