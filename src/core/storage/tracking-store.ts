/** The storage side of message tracking and retention: search, summaries, purge and litigation holds. */
import type { NewEvent } from '../ports.js';
import type { MessageStatus, Route } from '../tracking.js';
import type { MessageRecord, RecipientRecord } from './records.js';

/** Filters over the message log; the time window is always bounded. Matching is case-insensitive. */
export interface MessageSearch {
  /** `receivedAt` window, epoch ms, both ends inclusive. */
  start: number;
  end: number;
  /** The internet Message-ID, with its angle brackets. */
  internetMessageId?: string;
  /** Envelope sender (exact) or a substring of the From header. */
  from?: string;
  /** An envelope recipient (exact). */
  to?: string;
  /** Substring of the subject. */
  subject?: string;
  senderIp?: string;
  route?: Route;
  /** The message's overall status (MESSAGE_STATUS). */
  status?: MessageStatus;
  /** The way in (`source`: mimecast, graph, works, smtp, …). */
  source?: string;
  limit: number;
  /** `desc` (default): newest first. */
  order?: 'asc' | 'desc';
  /** Keyset cursor: continue with messages after this one in the order of the search. */
  after?: { receivedAt: number; id: string };
}

export interface MessageSearchPage {
  /** Matches of the whole search, regardless of the page. */
  total: number;
  messages: MessageRecord[];
}

/** Suspends purging of one message, or of every message to or from an address, until released or expired. */
export interface LitigationHoldRecord {
  id: string;
  messageId: string | null;
  /** Lower-case address. */
  address: string | null;
  description: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  releasedAt: number | null;
  releasedBy: string | null;
}

export interface TrackingStore {
  searchMessages(search: MessageSearch): Promise<MessageSearchPage>;
  /** Recipients of several messages at once (a search page). */
  listRecipientsOf(messageIds: readonly string[]): Promise<RecipientRecord[]>;
  /** The stored header/MIME summary (JSON value), if one was saved. */
  getMessageSummary(messageId: string): Promise<unknown>;
  saveMessageSummary(messageId: string, summary: unknown): Promise<void>;
  /**
   * Dates messages that have no purge date yet (original = current = receipt + retention) and
   * moves the purge date of every unpurged message to receipt + retention, so a changed period
   * shows as an adjustment against the original date.
   */
  applyRetention(retentionMs: number): Promise<{ dated: number; adjusted: number }>;
  /** Unpurged messages past their purge date with no recipient waiting or held, and no active litigation hold. */
  listPurgeable(now: number, limit: number): Promise<MessageRecord[]>;
  /** Marks a message purged and appends its `purged` event in one commit; false if it already was. */
  markPurged(messageId: string, now: number, event: NewEvent): Promise<boolean>;
  addLitigationHold(hold: LitigationHoldRecord): Promise<void>;
  /** False when no active hold has that id. */
  releaseLitigationHold(id: string, by: string, now: number): Promise<boolean>;
  /** Holds in force at `now`, or every hold ever placed when `now` is undefined; newest first. */
  listLitigationHolds(now?: number): Promise<LitigationHoldRecord[]>;
  /** Holds in force at `now` that cover the message (its id, envelope sender or a recipient). */
  litigationHoldsFor(messageId: string, now: number): Promise<LitigationHoldRecord[]>;
}
