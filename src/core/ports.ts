/** The small interfaces the core needs from the outside world. */
import type { Readable } from 'node:stream';
import type { ComposeContent } from './message.js';
import type { HoldDecision } from './policy.js';
import type { EventKind, RecipientStatus, Route, TransportName } from './tracking.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** What a streamed write stored: its length and SHA-256 (hex), computed on the way. */
export interface StreamedBlob {
  size: number;
  sha256: string;
}

/** Content-addressed by caller-chosen keys; `put` returns only once the bytes are durable. */
export interface BlobStore {
  put(key: string, data: Buffer): Promise<void>;
  /**
   * Writes a body as it arrives, holding only a bounded part of it in memory; resolves once the
   * bytes are durable. More than `maxBytes` throws `too_large` and leaves nothing stored.
   */
  putStream(key: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StreamedBlob>;
  get(key: string): Promise<Buffer>;
  /** The blob for sending on: in memory when small, otherwise a file read as a stream (docs/storage.md#large-messages). */
  read(key: string): Promise<Content>;
  delete(key: string): Promise<void>;
}

/**
 * A stored message too large to hold in memory while it is sent: read from disk in pieces, as often
 * as needed (each attempt streams it again).
 */
export interface ContentFile {
  size: number;
  /** Whether any byte is outside US-ASCII (SMTP's 8BITMIME), found by one pass over the file. */
  eightBit(): Promise<boolean>;
  stream(): Readable;
}

/** What a transport sends: the bytes, or a file to stream them from. */
export type Content = Buffer | ContentFile;

export interface NewEvent {
  messageId: string;
  recipientId?: string;
  kind: EventKind;
  at: number;
  detail?: Record<string, unknown>;
}

export interface NewRecipient {
  id: string;
  address: string;
  domain: string;
  kind: 'to' | 'cc' | 'bcc' | 'envelope';
  transport: TransportName;
  status: RecipientStatus;
  nextAttemptAt: number;
}

export interface NewMessage {
  id: string;
  internetMessageId: string;
  source: string;
  route: Route;
  userId: string | null;
  mailFrom: string;
  fromHeader: string;
  subject: string;
  size: number;
  blobKey: string;
  receivedAt: number;
  expiresAt: number;
  /** Retention: when the raw message may be purged (unrelated to `expiresAt`, the queue lifetime). */
  purgeAt?: number;
  /** The connecting client's IP for mail received over SMTP. */
  senderIp?: string;
  meta: Record<string, unknown>;
  recipients: NewRecipient[];
  events: NewEvent[];
  /** Set when a policy held some or all recipients (those have status `held`). */
  hold?: NewHold;
}

/** The review record of a held message (core/policy.ts decides, store/inbound-store.ts lists). */
export interface NewHold {
  decision: HoldDecision;
  hasAttachments: boolean;
  /** The first held recipient. */
  toAddress: string;
  heldAt: number;
  /** When an unreviewed hold expires (the held recipients are then rejected). */
  expiresAt: number;
}

export interface AcceptOptions {
  /**
   * false: the commit need not reach the disk by itself, because the caller makes it durable
   * (a later durable write, or `flushWrites()`) before it tells anyone the message was accepted
   * (docs/storage.md, "An answer's commit carries its message").
   */
  durable?: boolean;
}

/** Persists an accepted message, its recipients and first events in one commit, durable unless told otherwise. */
export interface MessageSink {
  /**
   * `content`, when given, is stored under `message.blobKey`: in the same commit when the store
   * keeps blobs of that size in its database, otherwise made durable before the commit (a file).
   * Without it the blob must already be stored.
   */
  acceptMessage(message: NewMessage, content?: Buffer, options?: AcceptOptions): Promise<void>;
}

export interface MessageIds {
  messageId: string;
  date: Date;
}

/** Builds RFC 5322 bytes from parts. */
export interface Composer {
  compose(mail: ComposeContent, ids: MessageIds): Promise<Buffer>;
}

/** Client-supplied MIME after the gateway added the headers it owns (Message-ID, Date when missing). */
export interface PreparedRaw {
  raw: Buffer;
  messageId: string;
  date: string;
  from: string;
  subject: string;
  /** Every address of every From field, in order (the send-as rule checks them all). */
  fromAddresses: string[];
  /** Every address of every Sender field. */
  senderAddresses: string[];
  /** Display names of the To/Cc/Bcc addresses (lower-cased address → name), read before Bcc is removed. */
  recipientNames?: Record<string, string>;
}

/** Readies client MIME for storage without altering the client's own bytes. */
export interface RawPreparer {
  prepare(raw: Buffer, ids: MessageIds): PreparedRaw;
}

/** DKIM-signs outbound mail for a sender domain; returns the input unchanged when it has no key. */
export interface SignOptions {
  /**
   * Compute the signature on the calling thread: for a message nothing else is waiting behind,
   * handing the work to the thread pool and back costs more time than it saves.
   */
  inline?: boolean;
}

export interface Signer {
  sign(raw: Buffer, domain: string, options?: SignOptions): Promise<Buffer>;
}

/** Wakes delivery workers when new work is committed. */
export interface QueueNotifier {
  wake(): void;
}

/** One recipient's delivery work, leased by a worker until `leaseUntil`. */
export interface DeliveryJob {
  recipientId: string;
  messageId: string;
  address: string;
  domain: string;
  transport: TransportName;
  attempts: number;
  /** The message's route and way in, for per-route delivery figures. */
  route: Route;
  source: string;
  mailFrom: string;
  subject: string;
  blobKey: string;
  receivedAt: number;
  expiresAt: number;
  leaseOwner: string;
  leaseUntil: number;
}

/** What the remote side said about one recipient. */
export interface RecipientReply {
  /** delivered: accepted; temporary: retry later; permanent: bounce. */
  outcome: 'delivered' | 'temporary' | 'permanent';
  code: number;
  reply: string;
}

/** Everything observed during one delivery attempt, recorded as an `attempt` event. */
export interface AttemptRecord {
  transport: TransportName;
  startedAt: number;
  endedAt: number;
  remoteHost?: string;
  remoteIp?: string;
  greeting?: string;
  tlsProtocol?: string;
  tlsCipher?: string;
  bytes: number;
  /** Keyed by recipient address, as given in the envelope. */
  replies: Record<string, RecipientReply>;
}

export interface OutboundEnvelope {
  mailFrom: string;
  rcptTo: string[];
  /** All recipients share this domain; transports route by it. */
  domain: string;
}

/** Moves a message to its next hop; never throws for remote refusals, only records them. */
export interface Transport {
  send(envelope: OutboundEnvelope, content: Content): Promise<AttemptRecord>;
  close(): Promise<void>;
}
