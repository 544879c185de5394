/**
 * SMTP replies come from the one error table (src/core/errors.ts): every refusal is a
 * MailgateError, written as `code enhanced-code text`; anything else is logged and answered as a
 * temporary failure, so a client retries rather than loses mail.
 */
import type { Logger } from 'pino';
import { isDiskFull } from '../core/disk-full.js';
import { MailgateError, isMailgateError, type ErrorCode } from '../core/errors.js';

/** An error smtp-server sends as `code text`, with the table's reply for `error.code`. */
export function smtpReply(error: MailgateError): Error {
  const [code = '451', enhanced] = error.smtpReply.split(' ');
  return Object.assign(new Error(enhanced ? `${enhanced} ${error.message}` : error.message), { responseCode: Number(code) });
}

/** The reply for a refusal from the table, with this message's own text. */
export function refusal(code: ErrorCode, text?: string): Error {
  return smtpReply(new MailgateError(code, text));
}

/** The reply for whatever a hook threw: table errors as they are, anything else logged and 451. */
export function replyFor(error: unknown, log: Logger, what: string): Error {
  if (isMailgateError(error)) return smtpReply(error);
  if (isDiskFull(error)) return refusal('insufficient_storage');
  log.error({ err: error }, `smtp ${what} failed`);
  return refusal('internal', 'Temporary failure, try again later');
}
