/** The storage side of inbound filtering: policies, sender lists, DNSBL zones, held messages and the audit log. */
import type { HoldAction, HoldActionResult } from '../held-review.js';
import type { HeldGroup, HoldDecision, Policy } from '../policy.js';
import type { Route } from '../tracking.js';

export const SENDER_LISTS = ['permitted', 'blocked'] as const;
export type SenderList = (typeof SENDER_LISTS)[number];

/** A permitted (always allowed) or blocked (refused) sender pattern; see core/address-pattern.ts. */
export interface SenderListEntry {
  id: string;
  list: SenderList;
  pattern: string;
  note: string | null;
  createdAt: number;
}

/** A DNS blocklist: `ip` zones are queried with the reversed client IP, `domain` zones with the sender's domain. */
export interface DnsblZone {
  zone: string;
  kind: 'ip' | 'domain';
  /** Added to the spam score when listed. */
  weight: number;
  createdAt: number;
}

export const HOLD_STATUS = { held: 'held', released: 'released', rejected: 'rejected', expired: 'expired' } as const;
export type HoldStatus = (typeof HOLD_STATUS)[keyof typeof HOLD_STATUS];

/** A held message as the review endpoints list it (message columns joined in). */
export interface HoldRecord extends HoldDecision {
  messageId: string;
  status: HoldStatus;
  hasAttachments: boolean;
  /** The first held recipient. */
  toAddress: string;
  /** Its display name as the sender wrote it ('' when none was given). */
  toName: string;
  heldAt: number;
  expiresAt: number;
  mailFrom: string;
  fromHeader: string;
  subject: string;
  size: number;
  route: Route;
  receivedAt: number;
}

export interface HoldQuery {
  /** Only holds in this state (default: all). */
  status?: HoldStatus;
  /** `receivedAt` window, epoch ms, inclusive. */
  start?: number;
  end?: number;
  /** Case-insensitive substring search. */
  search?: { field: 'all' | 'subject' | 'sender' | 'recipient' | 'reason_code'; value: string };
  routes?: Route[];
  heldGroup?: HeldGroup;
  /** Only holds whose first held recipient is this address (Mimecast `admin: false`). */
  recipient?: string;
  offset: number;
  limit: number;
}

export type { HoldAction, HoldActionResult } from '../held-review.js';

export interface AuditEntry {
  id: number;
  at: number;
  operator: string;
  /** e.g. `hold_release`, `hold_reject`, `hold_expire`, `policy_put`, `sender_add`. */
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditQuery {
  actions?: readonly string[];
  start?: number;
  end?: number;
  offset: number;
  limit: number;
}

export interface InboundStore {
  listPolicies(): Promise<Policy[]>;
  /** Inserts or replaces by id. */
  putPolicy(policy: Policy, now: number): Promise<void>;
  deletePolicy(id: string): Promise<boolean>;

  listSenderEntries(list?: SenderList): Promise<SenderListEntry[]>;
  /** Throws `conflict` when the list already has the pattern. */
  addSenderEntry(entry: SenderListEntry): Promise<void>;
  removeSenderEntry(id: string): Promise<boolean>;

  listDnsblZones(): Promise<DnsblZone[]>;
  putDnsblZone(zone: DnsblZone): Promise<void>;
  removeDnsblZone(zone: string): Promise<boolean>;

  getHold(messageId: string): Promise<HoldRecord | undefined>;
  listHolds(query: HoldQuery): Promise<{ total: number; holds: HoldRecord[] }>;
  /** Held messages per policy (`policyInfo`), for get-hold-summary-list. */
  holdSummary(): Promise<Array<{ policyInfo: string; count: number }>>;
  /**
   * Releases (held recipients → queued, due now; queue lifetime restarted at `requeueUntil`),
   * rejects or expires (held recipients → rejected) one held message, with its events and an audit
   * entry in one commit.
   */
  actOnHold(messageId: string, action: HoldAction, now: number, requeueUntil: number): Promise<HoldActionResult>;
  /** Ids of messages still held whose hold expired before `now`. */
  listExpiredHolds(now: number, limit: number): Promise<string[]>;

  /** Appends an audit entry; a retry with the same `writeId` after an unknown outcome appends nothing more. */
  appendAudit(entry: NewAuditEntry, writeId?: string): Promise<void>;
  listAudit(query: AuditQuery): Promise<{ total: number; entries: AuditEntry[] }>;
}
