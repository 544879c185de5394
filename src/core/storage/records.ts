/** The records the store keeps, as the rest of the gateway sees them. */
import type { NewEvent } from '../ports.js';
import type { EventKind, RecipientStatus } from '../tracking.js';

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
  /** Set once the key is revoked: it authenticates nothing from then on. */
  revokedAt?: number;
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
