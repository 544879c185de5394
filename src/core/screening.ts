/**
 * The scan → policy step of ingest(). Mail arriving from outside over SMTP is always scanned in
 * full (SPF/DKIM/DMARC/ARC, blocklists, sender lists, spam score) because tracking shows the
 * result; every other submission is scanned only as far as an applicable policy needs, so API
 * sends pay nothing while no outbound policy exists.
 */
import { MailgateError } from './errors.js';
import {
  applicablePolicies,
  detectionLevelFor,
  evaluatePolicies,
  factsNeeded,
  type AttachmentFact,
  type FactNeeds,
  type HoldDecision,
  type Policy,
} from './policy.js';
import { applyRecipientChoices } from './recipient-senders.js';
import type { DetectionLevel, SpamInfo } from './spam-info.js';
import type { DigestStore } from './storage/digest-store.js';
import type { Route } from './tracking.js';

/** How a message reached the SMTP listener (the Get Message Info page (docs/vendor-apis.md#message-tracking) `recipientMetaInfo` facts). */
export interface InboundConnection {
  remoteIp: string;
  remoteHost: string | null;
  helo: string;
  /** The banner we sent. */
  greeting: string;
  tlsProtocol: string | null;
  tlsCipher: string | null;
  /** The SMTP AUTH user, for submission. */
  authenticatedUser: string | null;
  /** The client is in MAILGATE_SMTP_TRUSTED_NETWORKS: it may use a local domain's sender without AUTH. */
  trustedNetwork?: boolean;
  transmissionStart: number;
  transmissionEnd: number;
  transmissionSize: number;
}

export interface ScanRequest {
  raw: Buffer;
  route: Route;
  mailFrom: string;
  fromAddress: string;
  connection?: InboundConnection;
  /** Full: authentication checks, blocklists and sender lists too (mail from outside). */
  full: boolean;
  needs: FactNeeds;
  detectionLevel: DetectionLevel;
}

export interface ScanReport {
  spamInfo?: SpamInfo;
  text?: string;
  attachments?: AttachmentFact[];
  /** Header fields (CRLF-terminated) to add on top of the message, e.g. Authentication-Results. */
  headers: string;
  /** The blocked-senders pattern that matched. */
  blockedBy?: string;
  permitted: boolean;
  dmarcFailed: boolean;
  rblListed: boolean;
}

/** Reads a message for the policy engine; implemented in scan/. */
export interface Scanner {
  scan(request: ScanRequest): Promise<ScanReport>;
}

export interface ScreeningDeps {
  policies: { listPolicies(): Promise<Policy[]> };
  scanner: Scanner;
  /** Recipients' own permitted and blocked senders (core/recipient-senders.ts); absent = none. */
  recipientSenders?: Pick<DigestStore, 'listRecipientSenders'>;
}

export interface ScreenInput {
  raw: Buffer;
  route: Route;
  mailFrom: string;
  fromAddress: string;
  subject: string;
  recipients: string[];
  connection?: InboundConnection;
}

export interface ScreenOutcome {
  /** Held recipients and why; the rest are queued. */
  holds: Map<string, HoldDecision>;
  spamInfo?: SpamInfo;
  /** The detection level of the spam policies in force for this message's route. */
  detectionLevel: DetectionLevel;
  headers: string;
  hasAttachments: boolean;
}

/**
 * The detection level reported for mail no spam policy scanned: its route's spam policy when one
 * applies, else the installation's active spam policy (the inbound default), else moderate.
 */
function levelInForce(applicable: readonly Policy[], all: readonly Policy[]): DetectionLevel {
  const spam = (list: readonly Policy[]) => list.some((p) => p.kind === 'spam');
  if (spam(applicable)) return detectionLevelFor(applicable);
  return detectionLevelFor([...all].filter((p) => p.enabled).sort((a, b) => a.position - b.position));
}

/** Scans as far as needed and applies the policies; throws `sender_forbidden` for a blocked sender. */
export async function screen(input: ScreenInput, deps: ScreeningDeps): Promise<ScreenOutcome> {
  const policies = await deps.policies.listPolicies();
  const applicable = applicablePolicies(policies, input.route);
  const needs = factsNeeded(applicable);
  const full = input.route === 'inbound' && input.connection !== undefined;
  const request = {
    raw: input.raw,
    route: input.route,
    mailFrom: input.mailFrom,
    fromAddress: input.fromAddress,
    detectionLevel: detectionLevelFor(applicable),
    ...(input.connection ? { connection: input.connection } : {}),
  };
  const scanned = full || needs.spam || needs.content || needs.attachments;
  let report: ScanReport | undefined = scanned ? await deps.scanner.scan({ ...request, full, needs }) : undefined;
  if (report?.blockedBy) throw new MailgateError('sender_forbidden', `The sender is blocked (${report.blockedBy})`);
  const holds = evaluatePolicies(applicable, {
    route: input.route,
    mailFrom: input.mailFrom,
    fromAddress: input.fromAddress,
    subject: input.subject,
    size: input.raw.length,
    recipients: input.recipients,
    ...(report?.text !== undefined ? { text: report.text } : {}),
    ...(report?.attachments ? { attachments: report.attachments } : {}),
    ...(report?.spamInfo
      ? { spam: { score: report.spamInfo.spamScore, dmarcFailed: report.dmarcFailed, rblListed: report.rblListed, permitted: report.permitted } }
      : {}),
  });
  // Recipients' own choices are about mail from outside; API sends pay no extra query.
  if (deps.recipientSenders && input.route === 'inbound') {
    const entries = await deps.recipientSenders.listRecipientSenders(input.recipients.map((r) => r.toLowerCase()));
    const senders = [input.mailFrom, input.fromAddress].filter((a) => a !== '');
    if (entries.length > 0 && applyRecipientChoices(holds, { recipients: input.recipients, senders, entries, policies }).allBlocked) {
      throw new MailgateError('sender_forbidden', 'The sender is blocked by the recipient');
    }
  }
  // The held list shows whether a message has attachments; learn it only for held mail.
  if (holds.size > 0 && !report?.attachments) {
    const needsAttachments = { content: false, attachments: true, spam: false };
    const extra = await deps.scanner.scan({ ...request, full: false, needs: needsAttachments });
    report = report ? { ...report, attachments: extra.attachments ?? [] } : extra;
  }
  return {
    holds,
    ...(report?.spamInfo ? { spamInfo: report.spamInfo } : {}),
    detectionLevel: report?.spamInfo ? request.detectionLevel : levelInForce(applicable, policies),
    headers: report?.headers ?? '',
    hasAttachments: (report?.attachments?.length ?? 0) > 0,
  };
}
