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
  store: Pick<Store, 'getMessage' | 'appendEvents' | 'listEvents' | 'blobs'>;
  ingest(submission: Submission): Promise<AcceptedMessage>;
  clock: Clock;
  hostname: string;
}

/** The original's header block, or undefined when its content is gone (purged) or unreadable. */
async function originalHeaders(blobs: Store['blobs'], blobKey: string): Promise<string | undefined> {
  try {
    const raw = await blobs.get(blobKey);
    const end = raw.indexOf('\r\n\r\n');
    return raw.toString('utf8', 0, end < 0 ? raw.length : end + 2);
  } catch {
    return undefined;
  }
}

/** The host and time of the recipient's last attempt that reached anyone. */
async function lastAttempt(store: FailureNotifierDeps['store'], failed: FailedRecipient): Promise<{ remoteMta?: string; lastAttemptAt?: number }> {
  const attempts = (await store.listEvents(failed.messageId)).filter((e) => e.kind === EVENT_KIND.attempt && e.recipientId === failed.recipientId);
  const last = attempts.at(-1);
  if (!last) return {};
  const host = [last.detail.remoteHost, last.detail.remoteIp].find((v): v is string => typeof v === 'string' && v !== '');
  return { lastAttemptAt: typeof last.detail.endedAt === 'number' ? last.detail.endedAt : last.at, ...(host !== undefined ? { remoteMta: host } : {}) };
}

/** Returns the function that sends one notice; mail with a null sender gets none (no notices about notices). */
export function createFailureNotifier(deps: FailureNotifierDeps): (failed: FailedRecipient) => Promise<void> {
  return async (failed) => {
    const message = await deps.store.getMessage(failed.messageId);
    if (!message || failed.mailFrom === '') return;
    const headers = await originalHeaders(deps.store.blobs, message.blobKey);
    const notice = deliveryFailureNotice(
      {
        mailFrom: failed.mailFrom,
        subject: failed.subject,
        internetMessageId: message.internetMessageId,
        recipient: failed.address,
        code: failed.code,
        reply: failed.reply,
        arrivalDate: message.receivedAt,
        ...(await lastAttempt(deps.store, failed)),
        ...(headers !== undefined ? { originalHeaders: headers } : {}),
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
