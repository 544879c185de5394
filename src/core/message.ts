/** The one internal send shape every way in translates to. */
import type { Route, TransportName } from './tracking.js';

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
}

export type SubmissionContent =
  | { kind: 'compose'; mail: ComposeContent }
  /** Client-supplied RFC 5322 bytes, kept intact apart from the headers a gateway adds. */
  | { kind: 'mime'; raw: Buffer };

export type SubmissionSource = 'mimecast' | 'graph' | 'works' | 'smtp' | 'system';

export interface Principal {
  userId: string;
  email: string;
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
  /** Free-form facts about how the message arrived, kept with the message record. */
  meta?: Record<string, unknown>;
}

export interface AcceptedMessage {
  id: string;
  internetMessageId: string;
  /** The Date header, as written into the message. */
  date: string;
  route: Route;
  recipients: Array<{ address: string; transport: TransportName }>;
}
