/** The one internal send shape every way in translates to. */
import type { InboundConnection } from './screening.js';
import type { RecipientStatus, Route, TransportName } from './tracking.js';

export interface MailAddress {
  address: string;
  name?: string;
}

export interface HeaderField {
  name: string;
  value: string;
}

export interface AttachmentInput {
  filename: string;
  content: Buffer;
  contentType?: string;
  /** Set for inline parts referenced from the HTML body as `cid:...`. */
  contentId?: string;
  inline?: boolean;
}

/** A message to be composed here from parts. */
export interface ComposeContent {
  from: MailAddress;
  sender?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  subject: string;
  text?: string;
  html?: string;
  attachments: AttachmentInput[];
  /** Extra headers from the client; names and values are validated before composition. */
  headers: HeaderField[];
  /** Set only by the gateway's own notices: the message becomes a multipart/report (RFC 6522) after `text`. */
  report?: ReportParts;
}

/** The machine-readable parts of a delivery status notification (docs/bounces.md). */
export interface ReportParts {
  /** The `message/delivery-status` body (RFC 3464). */
  deliveryStatus: string;
  /** The original message's header block, sent as `text/rfc822-headers`. */
  originalHeaders?: string;
}

export type SubmissionContent =
  | { kind: 'compose'; mail: ComposeContent }
  /** Client-supplied RFC 5322 bytes, kept intact apart from the headers a gateway adds. */
  | { kind: 'mime'; raw: Buffer };

export type SubmissionSource = 'mimecast' | 'graph' | 'works' | 'smtp' | 'system';

/** Who authenticated the request: the user whose mailbox sends (src/core/send-as.ts decides what it may claim). */
export interface Principal {
  userId: string;
  email: string;
  /** Set when an OAuth application acts with application permissions (Graph `/users/{id}`). */
  app?: { clientId: string };
}

export interface Envelope {
  /** Empty string is the null reverse-path (delivery notices). */
  mailFrom: string;
  rcptTo: string[];
}

export interface Submission {
  source: SubmissionSource;
  principal?: Principal;
  /** Derived from the content's addresses when absent. */
  envelope?: Envelope;
  content: SubmissionContent;
  /**
   * The Message-ID (with angle brackets) the client was already shown for this message, e.g. a
   * Graph draft's internetMessageId; generated when absent. Client MIME keeps its own.
   */
  messageId?: string;
  /** Free-form facts about how the message arrived, kept with the message record. */
  meta?: Record<string, unknown>;
  /** Set by the SMTP listener: mail from outside is scanned in full and the facts are tracked. */
  connection?: InboundConnection;
  /** The serving HTTP request's list of accepted ids, for its access-log line (api/access-log.ts). */
  acceptedIds?: string[];
  /**
   * The request's answer is recorded by a durable commit before anyone sees it (an idempotency
   * key's answer, api/idempotency.ts), and that commit makes the message durable with it: the
   * message's own commit does not wait for the disk (docs/storage.md, "An answer's commit carries its message").
   */
  durableWithAnswer?: boolean;
}

export interface AcceptedMessage {
  id: string;
  internetMessageId: string;
  /** The Date header, as written into the message. */
  date: string;
  route: Route;
  recipients: Array<{ address: string; transport: TransportName; status: RecipientStatus }>;
  /** The stored bytes, for callers that file a copy (Sent Items); retention may purge the message's own blob. */
  raw: Buffer;
}
