/** The delivery-failure notice a sender receives when a recipient bounces or expires. */
import type { Submission } from './message.js';

export const FAILURE_SUBJECT_PREFIX = '[Message delivery failed]';

export interface FailedDelivery {
  mailFrom: string;
  subject: string;
  internetMessageId: string;
  recipient: string;
  code: number;
  reply: string;
}

/** Returns undefined for mail with a null sender: notices about notices would loop (RFC 5321 §4.5.5). */
export function deliveryFailureNotice(failure: FailedDelivery, hostname: string): Submission | undefined {
  if (failure.mailFrom === '') return undefined;
  const text = [
    'Your message could not be delivered to one or more recipients.',
    '',
    `Recipient: ${failure.recipient}`,
    `Remote server said: ${failure.code} ${failure.reply}`,
    '',
    `Original subject: ${failure.subject}`,
    `Original Message-ID: ${failure.internetMessageId}`,
  ].join('\r\n');
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
      },
    },
    meta: { notice: 'delivery-failure', original: failure.internetMessageId },
  };
}
