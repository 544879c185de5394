/**
 * A nesting limit for request bodies, checked on the raw text before any parser or recursive walk
 * sees it. JSON.parse itself copes with deep input, but the code after it (null stripping, schema
 * reads, JSON.stringify of stored properties) recurses and would overflow the stack on a body
 * such as 100,000 `[`: a 500 instead of the 400 the input deserves (docs/request-limits.md).
 */
import { MailgateError } from './errors.js';

/** Deeper than any vendor request (Graph's deepest, a flag's dueDateTime, is 5), far below any stack limit. */
export const MAX_JSON_DEPTH = 64;

/** Char codes the scan stops at: brackets open and close, quotes start a string. */
const OPEN = new Set([0x7b, 0x5b, 0x28]); // { [ (
const CLOSE = new Set([0x7d, 0x5d, 0x29]); // } ] )
const QUOTES = new Set([0x22, 0x27]); // " '
const BACKSLASH = 0x5c;

/** The index of the quote that closes the string opened at `start`, or the text's length. */
function stringEnd(text: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const end = text.indexOf(quote, i);
    if (end < 0) return text.length;
    // The quote is escaped when an odd number of backslashes precede it.
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
    i = end + 1;
  }
}

/**
 * Throws `malformed_request` when brackets outside strings nest deeper than `max`. Strings may be
 * quoted with `"` or `'` (the Mimecast dialect's Python literals), so one scan serves both grammars;
 * it counts, it does not validate: the parser that follows reports every other mistake. It runs on
 * every request body, so it compares char codes and skips strings with indexOf.
 */
export function assertJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (QUOTES.has(code)) {
      i = stringEnd(text, i, text[i] as string);
    } else if (OPEN.has(code)) {
      if (++depth > max) throw new MailgateError('malformed_request', `The request body: nesting deeper than ${max} levels`);
    } else if (CLOSE.has(code)) {
      depth--;
    }
  }
}
