/**
 * The machine-readable part of a failure notice: an RFC 3464 `message/delivery-status` body
 * (docs/bounces.md). Pure text building; the MIME structure around it is composed in src/mime.
 */

/** What the report says about one recipient that will not be delivered. */
export interface FailedRecipientReport {
  recipient: string;
  /** The SMTP reply that decided the failure (remote, or the gateway's own for expiry and operators). */
  code: number;
  reply: string;
  /** The host that gave the reply, when one did. */
  remoteMta?: string;
  lastAttemptAt?: number;
}

export interface DeliveryStatusReport {
  reportingMta: string;
  arrivalDate: number;
  recipients: readonly FailedRecipientReport[];
}

/** RFC 5322 date-time, as RFC 3464 asks for Arrival-Date and Last-Attempt-Date. */
export function reportDate(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** Field values are US-ASCII on one line (RFC 3464 §2.1.1); anything else would break the part. */
function fieldText(value: string, max = 900): string {
  return value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim()
    .slice(0, max);
}

/**
 * The RFC 3463 status code: the reply's own enhanced code when it leads the text and agrees with
 * the reply's class, else the class alone (`5.0.0`, `4.0.0`).
 */
export function statusCodeOf(code: number, reply: string): string {
  const klass = Math.floor(code / 100);
  const text = reply.trim().replace(/^\d{3}[\s-]+/, '');
  const enhanced = /^([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(text);
  if (enhanced && Number(enhanced[1]) === klass) return `${enhanced[1]}.${enhanced[2]}.${enhanced[3]}`;
  return klass === 4 ? '4.0.0' : '5.0.0';
}

/** The reply as the Diagnostic-Code gives it: `<code> <text>`, without a repeated code. */
function diagnostic(code: number, reply: string): string {
  const text = reply.trim();
  return fieldText(text.startsWith(String(code)) ? text : `${code} ${text}`);
}

/** The body of the `message/delivery-status` part: per-message fields, then one block per recipient. */
export function deliveryStatusBody(report: DeliveryStatusReport): string {
  const blocks = [[`Reporting-MTA: dns; ${fieldText(report.reportingMta)}`, `Arrival-Date: ${reportDate(report.arrivalDate)}`]];
  for (const r of report.recipients) {
    const block = [`Final-Recipient: rfc822; ${fieldText(r.recipient)}`, 'Action: failed', `Status: ${statusCodeOf(r.code, r.reply)}`];
    if (r.remoteMta) block.push(`Remote-MTA: dns; ${fieldText(r.remoteMta)}`);
    block.push(`Diagnostic-Code: smtp; ${diagnostic(r.code, r.reply)}`);
    if (r.lastAttemptAt !== undefined) block.push(`Last-Attempt-Date: ${reportDate(r.lastAttemptAt)}`);
    blocks.push(block);
  }
  return blocks.map((b) => b.join('\r\n') + '\r\n').join('\r\n');
}
