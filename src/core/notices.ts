/** The notices a sender receives when a recipient bounces or expires, and when review rejects held mail. */
import { deliveryStatusBody, statusCodeOf } from './delivery-status.js';
import type { Submission } from './message.js';

export const FAILURE_SUBJECT_PREFIX = '[Message delivery failed]';

export interface FailedDelivery {
  mailFrom: string;
  subject: string;
  internetMessageId: string;
  recipient: string;
  code: number;
  reply: string;
  /** When the gateway accepted the message. */
  arrivalDate: number;
  /** The host of the last attempt, when one was reached. */
  remoteMta?: string;
  lastAttemptAt?: number;
  /** The original message's header block, returned as `text/rfc822-headers` (absent once purged). */
  originalHeaders?: string;
}

/**
 * An RFC 3464 delivery status notification (multipart/report, docs/bounces.md), readable by people
 * in its first part. Returns undefined for mail with a null sender: notices about notices would
 * loop (RFC 5321 §4.5.5).
 */
export function deliveryFailureNotice(failure: FailedDelivery, hostname: string): Submission | undefined {
  if (failure.mailFrom === '') return undefined;
  const text = [
    'Your message could not be delivered to one or more recipients.',
    '',
    `Recipient: ${failure.recipient}`,
    `Status: ${statusCodeOf(failure.code, failure.reply)}`,
    `Remote server said: ${failure.code} ${failure.reply}`,
    '',
    `Original subject: ${failure.subject}`,
    `Original Message-ID: ${failure.internetMessageId}`,
    '',
  ].join('\r\n');
  const deliveryStatus = deliveryStatusBody({
    reportingMta: hostname,
    arrivalDate: failure.arrivalDate,
    recipients: [
      {
        recipient: failure.recipient,
        code: failure.code,
        reply: failure.reply,
        ...(failure.remoteMta !== undefined ? { remoteMta: failure.remoteMta } : {}),
        ...(failure.lastAttemptAt !== undefined ? { lastAttemptAt: failure.lastAttemptAt } : {}),
      },
    ],
  });
  return {
    source: 'system',
    envelope: { mailFrom: '', rcptTo: [failure.mailFrom] },
    content: {
      kind: 'compose',
      mail: {
        from: { address: `MAILER-DAEMON@${hostname}`, name: 'Mail Delivery System' },
        to: [{ address: failure.mailFrom }],
        cc: [],
        bcc: [],
        replyTo: [],
        // Subjects are single-line by validation, so the original fits as-is.
        subject: `${FAILURE_SUBJECT_PREFIX} ${failure.subject}`.slice(0, 900),
        text,
        attachments: [],
        headers: [{ name: 'Auto-Submitted', value: 'auto-replied' }],
        report: { deliveryStatus, ...(failure.originalHeaders !== undefined ? { originalHeaders: failure.originalHeaders } : {}) },
      },
    },
    meta: { notice: 'delivery-failure', original: failure.internetMessageId },
  };
}

export const REJECTION_SUBJECT_PREFIX = '[Message rejected]';

export interface RejectedHold {
  mailFrom: string;
  subject: string;
  internetMessageId: string;
  recipients: readonly string[];
  /** the Reject Held Message page (docs/vendor-apis.md#held-messages) `message` and `reasonType`. */
  message?: string;
  reasonType?: string;
}

/** The notice hold-reject sends with `notify: true`; undefined for a null sender (no notices about notices). */
export function heldRejectionNotice(rejected: RejectedHold, hostname: string): Submission | undefined {
  if (rejected.mailFrom === '') return undefined;
  const text = [
    'Your message was reviewed by an administrator and rejected. It was not delivered.',
    '',
    `Reason: ${rejected.reasonType ?? 'not given'}`,
    `Message from the administrator: ${rejected.message ?? '(none)'}`,
    '',
    `Recipients: ${rejected.recipients.join(', ')}`,
    `Original subject: ${rejected.subject}`,
    `Original Message-ID: ${rejected.internetMessageId}`,
  ].join('\r\n');
  return {
    source: 'system',
    envelope: { mailFrom: '', rcptTo: [rejected.mailFrom] },
    content: {
      kind: 'compose',
      mail: {
        from: { address: `MAILER-DAEMON@${hostname}`, name: 'Mail Delivery System' },
        to: [{ address: rejected.mailFrom }],
        cc: [],
        bcc: [],
        replyTo: [],
        subject: `${REJECTION_SUBJECT_PREFIX} ${rejected.subject}`.slice(0, 900),
        text,
        attachments: [],
        headers: [{ name: 'Auto-Submitted', value: 'auto-replied' }],
      },
    },
    meta: { notice: 'hold-rejected', original: rejected.internetMessageId },
  };
}
