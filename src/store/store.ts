/** The storage port every backend implements, and the capability flags that tell them apart. */
import type { BlobStore, DeliveryJob, MessageSink, NewEvent } from '../core/ports.js';
import type { GuessCounters } from '../core/guess-counters.js';
import type { RateCounter } from '../core/rate-limit.js';
import type { EventKind, RecipientStatus } from '../core/tracking.js';
import type { InboundStore } from './inbound-store.js';
import type { TrackingStore } from './tracking-store.js';
import type { DraftStore } from './draft-store.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { MailboxPage, MailboxStateStore, MailboxSummary } from './mailbox-store.js';
import type { OAuthGrantStore } from './oauth-grant-store.js';
import type { OAuthStore } from './oauth-store.js';
import type { UploadStore } from './upload-store.js';

/** Backend differences, declared once per backend and read where behaviour depends on them. */
export interface Capabilities {
  /** Rows can be leased concurrently by many processes (`FOR UPDATE SKIP LOCKED`). */
  skipLocked: boolean;
  /** Other processes can be woken on commit (`LISTEN/NOTIFY`). */
  listenNotify: boolean;
  /** Several processes share the database, so counters such as rate limits must live in it. */
  sharedRateLimits: boolean;
}

export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  createdAt: number;
}

export interface ApiKeyRecord {
  accessKey: string;
  /** Encrypted with the data dir's secret box; the plain secret is needed to verify HMACs. */
  secretKeyEnc: string;
  appId: string;
  userId: string;
  expiresAt: number | null;
  createdAt: number;
}

export interface ApiAppRecord {
  appId: string;
  appKeyEnc: string;
  name: string;
  createdAt: number;
}

export interface DkimKeyRecord {
  domain: string;
  selector: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  privateKeyEnc: string;
  publicKey: string;
  createdAt: number;
}

export interface FileRecord {
  id: string;
  userId: string;
  size: number;
  sha256: string;
  blobKey: string;
  createdAt: number;
}

export interface MessageRecord {
  id: string;
  internetMessageId: string;
  source: string;
  route: string;
  userId: string | null;
  mailFrom: string;
  fromHeader: string;
  subject: string;
  size: number;
  blobKey: string;
  status: string;
  receivedAt: number;
  expiresAt: number;
  meta: Record<string, unknown>;
  /** Retention dates (epoch ms); null until the retention pass has dated the message. */
  purgeAt: number | null;
  originalPurgeAt: number | null;
  /** When the raw message was purged; the row stays as the tracking summary. */
  purgedAt: number | null;
  senderIp: string | null;
}

export interface RecipientRecord {
  id: string;
  messageId: string;
  address: string;
  domain: string;
  kind: string;
  transport: string;
  status: RecipientStatus;
  attempts: number;
  nextAttemptAt: number;
  lastCode: number | null;
  lastReply: string | null;
  updatedAt: number;
}

export interface EventRecord {
  id: number;
  messageId: string;
  recipientId: string | null;
  kind: EventKind;
  at: number;
  detail: Record<string, unknown>;
}

/** A message filed in a user's folder; the raw MIME is the blob `blobKey`. */
export interface MailboxEntry extends MailboxSummary {
  id: string;
  userId: string;
  folder: string;
  messageId: string | null;
  blobKey: string;
  subject: string;
  fromHeader: string;
  size: number;
  receivedAt: number;
  unread: boolean;
}

/** Summary fields a filer does not know default to empty. */
export type NewMailboxEntry = Omit<MailboxEntry, keyof MailboxSummary> & Partial<MailboxSummary>;

/** How a leased delivery ended; written with its events in one commit. */
export interface Settlement {
  recipientId: string;
  messageId: string;
  leaseOwner: string;
  status: Extract<RecipientStatus, 'delivered' | 'deferred' | 'bounced'>;
  /** For `deferred`: when to try again. */
  nextAttemptAt?: number;
  code: number | null;
  reply: string | null;
  events: NewEvent[];
}

export interface LeaseRequest {
  owner: string;
  limit: number;
  now: number;
  leaseMs: number;
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
    IdempotencyStore {
  readonly capabilities: Capabilities;
  readonly blobs: BlobStore;
  /** Calls `listener` when another process committed new work; returns the unsubscribe function. */
  onWake(listener: () => void): () => void;

  createUser(user: UserRecord): Promise<void>;
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  getUserById(id: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  addDelegation(userId: string, address: string): Promise<void>;
  listDelegations(userId: string): Promise<string[]>;

  createApiApp(app: ApiAppRecord): Promise<void>;
  getApiApp(appId: string): Promise<ApiAppRecord | undefined>;
  createApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKey(accessKey: string): Promise<ApiKeyRecord | undefined>;
  /** Records a request id; false when it was already seen (opt-in replay protection). */
  rememberRequestId(id: string, now: number, keepMs: number): Promise<boolean>;

  putDkimKey(key: DkimKeyRecord): Promise<void>;
  /** The newest key for a domain. */
  getDkimKey(domain: string): Promise<DkimKeyRecord | undefined>;

  /** The blob must already be durable in `blobs`. */
  createFile(file: FileRecord): Promise<void>;
  getFile(id: string): Promise<FileRecord | undefined>;

  getMessage(id: string): Promise<MessageRecord | undefined>;
  listRecipients(messageId: string): Promise<RecipientRecord[]>;
  listEvents(messageId: string): Promise<EventRecord[]>;
  appendEvents(events: NewEvent[]): Promise<void>;

  /** Leases due recipients (queued/deferred, due, lease free or expired); oldest first. */
  leaseDeliveries(request: LeaseRequest): Promise<DeliveryJob[]>;
  /** Ends a lease; ignored (returns false) when the lease was lost to another worker. */
  settleDelivery(settlement: Settlement, now: number): Promise<boolean>;
  /** The earliest `nextAttemptAt` of any waiting recipient, to sleep until. */
  nextDueAt(): Promise<number | undefined>;

  addToMailbox(entry: NewMailboxEntry): Promise<void>;
  listMailbox(userId: string, folder: string): Promise<MailboxEntry[]>;
  /** One page of a folder (all folders when `folder` is undefined), newest first. */
  listMailboxPage(
    userId: string,
    folder: string | undefined,
    page: { offset: number; limit: number },
  ): Promise<MailboxPage<MailboxEntry>>;
  getMailboxEntry(userId: string, id: string): Promise<MailboxEntry | undefined>;

  close(): Promise<void>;
}
