/** Message, recipient and event vocabularies, defined once for every dialect and backend. */

export const MESSAGE_STATUS = {
  queued: 'queued',
  held: 'held',
  delivered: 'delivered',
  partial: 'partial',
  bounced: 'bounced',
  rejected: 'rejected',
} as const;
export type MessageStatus = (typeof MESSAGE_STATUS)[keyof typeof MESSAGE_STATUS];

export const RECIPIENT_STATUS = {
  queued: 'queued',
  deferred: 'deferred',
  delivered: 'delivered',
  bounced: 'bounced',
  held: 'held',
  rejected: 'rejected',
} as const;
export type RecipientStatus = (typeof RECIPIENT_STATUS)[keyof typeof RECIPIENT_STATUS];

/** Recipient states after which no delivery attempt will be made. */
export const FINAL_RECIPIENT_STATUSES: readonly RecipientStatus[] = ['delivered', 'bounced', 'rejected'];

export const EVENT_KIND = {
  received: 'received',
  scanned: 'scanned',
  held: 'held',
  released: 'released',
  rejected: 'rejected',
  queued: 'queued',
  attempt: 'attempt',
  deferred: 'deferred',
  delivered: 'delivered',
  bounced: 'bounced',
  noticeSent: 'notice_sent',
  purged: 'purged',
  /** An operator asked for an attempt now (queue control); the recipient's state is unchanged. */
  retryRequested: 'retry_requested',
  /** An operator removed the recipient from the queue without a notice (queue control). */
  deleted: 'deleted',
  /** An administrator read the message's tracking record (get-message-info): retention audits list it. */
  viewed: 'viewed',
} as const;
export type EventKind = (typeof EVENT_KIND)[keyof typeof EVENT_KIND];

export const ROUTE = { inbound: 'inbound', outbound: 'outbound', internal: 'internal' } as const;
export type Route = (typeof ROUTE)[keyof typeof ROUTE];

export const TRANSPORT = { local: 'local', relay: 'relay', mx: 'mx', capture: 'capture' } as const;
export type TransportName = (typeof TRANSPORT)[keyof typeof TRANSPORT];

/** Derives a message's overall status from its recipients' states. */
export function messageStatusOf(recipients: readonly RecipientStatus[]): MessageStatus {
  if (recipients.length === 0) return MESSAGE_STATUS.rejected;
  if (recipients.some((s) => s === 'held')) return MESSAGE_STATUS.held;
  if (recipients.some((s) => s === 'queued' || s === 'deferred')) return MESSAGE_STATUS.queued;
  if (recipients.every((s) => s === 'delivered')) return MESSAGE_STATUS.delivered;
  if (recipients.every((s) => s === 'rejected')) return MESSAGE_STATUS.rejected;
  if (recipients.some((s) => s === 'delivered')) return MESSAGE_STATUS.partial;
  return MESSAGE_STATUS.bounced;
}

/** The text of the `250` reply the SMTP listener gives to DATA, as tracking reports it back. */
export function queuedReplyText(messageId: string): string {
  return `2.0.0 Ok: queued as ${messageId}`;
}
