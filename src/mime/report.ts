/**
 * Builds a multipart/report (RFC 6522) with nodemailer's MimeNode: the human-readable text, the
 * `message/delivery-status` part (RFC 3464) and the original headers as `text/rfc822-headers`
 * (docs/bounces.md). MailComposer only writes multipart/mixed, which DSN readers do not recognise.
 */
import MimeNode from 'nodemailer/lib/mime-node';
import type { ComposeContent, MailAddress, ReportParts } from '../core/message.js';
import type { MessageIds } from '../core/ports.js';
import { assertHeaderName } from '../core/validate.js';
import { formatDateHeader, formatMessageId } from './raw-message.js';

const mailbox = (a: MailAddress): string => (a.name ? `"${a.name.replace(/["\\]/g, '\\$&')}" <${a.address}>` : a.address);

export async function composeReport(mail: ComposeContent, report: ReportParts, ids: MessageIds): Promise<Buffer> {
  const options = { newline: 'win', disableFileAccess: true, disableUrlAccess: true };
  const root = new MimeNode('multipart/report; report-type=delivery-status', options);
  root.setHeader('From', mailbox(mail.from));
  if (mail.to.length > 0) root.setHeader('To', mail.to.map(mailbox).join(', '));
  root.setHeader('Subject', mail.subject);
  root.setHeader('Message-ID', formatMessageId(ids.messageId));
  root.setHeader('Date', formatDateHeader(ids.date));
  for (const [i, h] of mail.headers.entries()) root.setHeader(assertHeaderName(h.name, `headers[${i}].name`), h.value);
  root.createChild('text/plain; charset=utf-8').setContent(mail.text ?? '');
  root.createChild('message/delivery-status').setContent(report.deliveryStatus);
  if (report.originalHeaders !== undefined) root.createChild('text/rfc822-headers').setContent(report.originalHeaders);
  return root.build();
}
