/**
 * What the SMTP listener checks and repairs in DATA before ingest, as pure functions:
 * line endings (RFC 5321 §2.3.8: CRLF only), line length (RFC 5322 §2.1.1: 998 octets) and the
 * header block (a bare CR there could smuggle a header past parsers that split on it).
 */
import { MailgateError } from '../core/errors.js';

/** RFC 5322 2.1.1: lines MUST be no more than 998 characters, excluding the CRLF. */
export const MAX_LINE_OCTETS = 998;

/**
 * Rewrites bare LF line ends to CRLF, as Postfix and Exchange do, so stored and relayed mail is
 * valid SMTP. Only `<CRLF>.<CRLF>` ended DATA (smtp-server), so a bare `\n.\n` cannot smuggle a
 * second message; here it is just a line with a dot.
 */
export function normalizeLineEnds(raw: Buffer): Buffer {
  let bare = raw.indexOf(0x0a);
  while (bare >= 0 && bare > 0 && raw[bare - 1] === 0x0d) bare = raw.indexOf(0x0a, bare + 1);
  if (bare < 0) return raw;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = bare; i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i > 0 && raw[i - 1] === 0x0d) continue;
    parts.push(raw.subarray(start, i), Buffer.from('\r\n'));
    start = i + 1;
  }
  parts.push(raw.subarray(start));
  return Buffer.concat(parts);
}

/** Throws `invalid_mime` for a line over the limit or a bare CR in the header block. */
export function assertWellFormed(raw: Buffer): void {
  let lineStart = 0;
  let headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) headerEnd = raw.length;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i - 1 - lineStart > MAX_LINE_OCTETS) {
      throw new MailgateError('invalid_mime', `A line is longer than ${MAX_LINE_OCTETS} characters (RFC 5322 2.1.1)`);
    }
    lineStart = i + 1;
  }
  if (raw.length - lineStart > MAX_LINE_OCTETS) {
    throw new MailgateError('invalid_mime', `A line is longer than ${MAX_LINE_OCTETS} characters (RFC 5322 2.1.1)`);
  }
  for (let i = raw.indexOf(0x0d); i >= 0 && i < headerEnd; i = raw.indexOf(0x0d, i + 1)) {
    if (raw[i + 1] !== 0x0a) throw new MailgateError('header_injection', 'A bare CR in the header section is not allowed');
  }
}
