/**
 * Sends the sender a failure notice for a recipient that will not be delivered (a bounce, an
 * expiry, an operator's bounce from the queue) and records that it was sent.
 */
import { deliveryFailureNotice } from '../core/notices.js';
import type { AcceptedMessage, Submission } from '../core/message.js';
import type { Clock } from '../core/ports.js';
import { EVENT_KIND } from '../core/tracking.js';
import type { Store } from '../core/storage/store.js';

/** The recipient that failed, and what was last said about it. */
export interface FailedRecipient {
  messageId: string;
  recipientId: string;
  address: string;
  mailFrom: string;
  subject: string;
  code: number;
  reply: string;
}

export interface FailureNotifierDeps {
  store: Pick<Store, 'getMessage' | 'appendEvents'>;
  ingest(submission: Submission): Promise<AcceptedMessage>;
  clock: Clock;
  hostname: string;
}

/** Returns the function that sends one notice; mail with a null sender gets none (no notices about notices). */
export function createFailureNotifier(deps: FailureNotifierDeps): (failed: FailedRecipient) => Promise<void> {
  return async (failed) => {
    const message = await deps.store.getMessage(failed.messageId);
    if (!message) return;
    const notice = deliveryFailureNotice(
      {
        mailFrom: failed.mailFrom,
        subject: failed.subject,
        internetMessageId: message.internetMessageId,
        recipient: failed.address,
        code: failed.code,
        reply: failed.reply,
      },
      deps.hostname,
    );
    if (!notice) return;
    const sent = await deps.ingest(notice);
    await deps.store.appendEvents([
      {
        messageId: failed.messageId,
        recipientId: failed.recipientId,
        kind: EVENT_KIND.noticeSent,
        at: deps.clock.now(),
        detail: { noticeId: sent.id, to: failed.mailFrom },
      },
    ]);
  };
}
