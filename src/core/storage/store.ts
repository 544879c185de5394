/** The storage port every backend implements, and the capability flags that tell them apart. */
import type { BlobStore, DeliveryJob, MessageSink, NewEvent } from '../ports.js';
import type { GuessCounters } from '../guess-counters.js';
import type { RateCounter } from '../rate-limit.js';
import type { InboundStore } from './inbound-store.js';
import type { TrackingStore } from './tracking-store.js';
import type { DraftStore } from './draft-store.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { InstanceStore } from './instance-store.js';
import type { MailboxEntry, MailboxPage, MailboxStateStore, NewMailboxEntry } from './mailbox-store.js';
import type { OAuthGrantStore } from './oauth-grant-store.js';
import type { OAuthStore } from './oauth-store.js';
import type { UploadStore } from './upload-store.js';
import type { SettingsStore } from './settings-store.js';
import type { QueueStore } from './queue-store.js';
import type { HealthStore } from './health-store.js';
import type { DigestStore } from './digest-store.js';
import type { SuppressionStore } from './suppression-store.js';
import type { ConsoleStore } from './console-store.js';
import type { WebhookStore } from './webhook-store.js';
import type { ApiAppRecord, ApiKeyRecord, DkimKeyRecord, EventRecord, FileRecord, LeaseRequest, MessageRecord, RecipientRecord, Settlement, UserRecord } from './records.js';

// The records are the port's vocabulary: importers of the port get them from here too.
export type * from './records.js';
export type { MailboxEntry, NewMailboxEntry } from './mailbox-store.js';
export type { QueueStats } from './health-store.js';

/** Backend differences, declared once per backend and read where behaviour depends on them. */
export interface Capabilities {
  /** Rows can be leased concurrently by many processes (`FOR UPDATE SKIP LOCKED`). */
  skipLocked: boolean;
  /** Other processes can be woken on commit (`LISTEN/NOTIFY`). */
  listenNotify: boolean;
  /** Several processes share the database, so counters such as rate limits must live in it. */
  sharedRateLimits: boolean;
  /** Several processes deliver from this queue, so a lease found at start may be a live process's. */
  sharedQueue: boolean;
  /**
   * Concurrent writers can make a smaller event id visible after a larger one, so readers that
   * follow the event log stop at the oldest running transaction (migration 0015).
   */
  logHorizon: boolean;
}

export interface Store
  extends MessageSink,
    RateCounter,
    GuessCounters,
    TrackingStore,
    OAuthStore,
    OAuthGrantStore,
    DraftStore,
    UploadStore,
    InboundStore,
    MailboxStateStore,
    IdempotencyStore,
    InstanceStore,
    SettingsStore,
    QueueStore,
    HealthStore,
    DigestStore,
    SuppressionStore,
    ConsoleStore,
    WebhookStore {
  readonly capabilities: Capabilities;
  readonly blobs: BlobStore;
  /** Calls `listener` when another process committed new work; returns the unsubscribe function. */
  onWake(listener: () => void): () => void;
  /** Resolves once every write committed so far is durable (after `acceptMessage(…, { durable: false })`). */
  flushWrites(): Promise<void>;

  /**
   * A number that changes whenever users, delegations, API apps or keys, or hold policies change,
   * by whichever process (store/lookup-cache.ts).
   */
  lookupVersion(): Promise<number>;

  createUser(user: UserRecord): Promise<void>;
  /** Removed users are unknown to these three lookups (docs/identities.md). */
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  getUserById(id: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /**
   * Removes a user in one transaction: the row stays for the records that name it, its address is
   * freed, its password, refresh tokens, Mimecast keys and API 2.0 apps go; false when unknown.
   */
  removeUser(id: string, now: number): Promise<boolean>;
  addDelegation(userId: string, address: string): Promise<void>;
  listDelegations(userId: string): Promise<string[]>;

  createApiApp(app: ApiAppRecord): Promise<void>;
  getApiApp(appId: string): Promise<ApiAppRecord | undefined>;
  createApiKey(key: ApiKeyRecord): Promise<void>;
  /** The key, revoked or not (the auth check refuses revoked ones). */
  getApiKey(accessKey: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, revoked ones included, oldest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** False when the key is unknown or already revoked. */
  revokeApiKey(accessKey: string, now: number): Promise<boolean>;
  /**
   * Records a request id; false when it was already seen (opt-in replay protection). A retry with
   * the same `writer` after an unknown outcome answers true again (docs/retries.md).
   */
  rememberRequestId(id: string, now: number, keepMs: number, writer?: string): Promise<boolean>;

  putDkimKey(key: DkimKeyRecord): Promise<void>;
  /** The newest key for a domain. */
  getDkimKey(domain: string): Promise<DkimKeyRecord | undefined>;
  /** Every key, by domain then newest first. */
  listDkimKeys(): Promise<DkimKeyRecord[]>;
  /** False when no key has this domain and selector. */
  removeDkimKey(domain: string, selector: string): Promise<boolean>;

  /** The blob must already be durable in `blobs`. */
  createFile(file: FileRecord): Promise<void>;
  getFile(id: string): Promise<FileRecord | undefined>;

  getMessage(id: string): Promise<MessageRecord | undefined>;
  listRecipients(messageId: string): Promise<RecipientRecord[]>;
  listEvents(messageId: string): Promise<EventRecord[]>;
  /** Appends events; a retry with the same `writeId` after an unknown outcome appends nothing more. */
  appendEvents(events: NewEvent[], writeId?: string): Promise<void>;

  /** Leases due recipients (queued/deferred, due, lease free or expired); oldest first. */
  leaseDeliveries(request: LeaseRequest): Promise<DeliveryJob[]>;
  /**
   * Ends a lease; ignored (returns false) when the lease was lost to another worker. A retry with
   * the same `writeId` after an unknown outcome finds its own settlement and answers true.
   */
  settleDelivery(settlement: Settlement, now: number, writeId?: string): Promise<boolean>;
  /** The earliest `nextAttemptAt` of any waiting recipient, to sleep until. */
  nextDueAt(): Promise<number | undefined>;
  /** Gives up every lease `owner` holds, so that another process (or the next start) takes the jobs at once. */
  releaseLeases(owner: string): Promise<number>;

  addToMailbox(entry: NewMailboxEntry): Promise<void>;
  listMailbox(userId: string, folder: string): Promise<MailboxEntry[]>;
  /** One page of a folder (all folders when `folder` is undefined), newest first; `ownerMentioned` keeps only copies that do (or do not) mention their owner. */
  listMailboxPage(
    userId: string,
    folder: string | undefined,
    page: { offset: number; limit: number; ownerMentioned?: boolean },
  ): Promise<MailboxPage<MailboxEntry>>;
  getMailboxEntry(userId: string, id: string): Promise<MailboxEntry | undefined>;

  close(): Promise<void>;
}
