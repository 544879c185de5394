/** Strict base64 decoding for client-supplied content: Buffer.from(…, 'base64') silently skips garbage. */
import { MailgateError } from './errors.js';

// Standard alphabet; padding optional on the last quantum; line breaks and spaces allowed between (RFC 2045 6.8).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Decodes base64 that may be line-wrapped; `invalid_base64` for anything else. */
export function decodeBase64Strict(text: string, field: string, message?: string): Buffer {
  const compact = text.replace(/[\r\n\t ]+/g, '');
  if (!BASE64.test(compact)) throw new MailgateError('invalid_base64', message ?? `${field} is not valid base64`, field);
  return Buffer.from(compact, 'base64');
}
