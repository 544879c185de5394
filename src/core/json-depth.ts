/**
 * A nesting limit for request bodies, checked on the raw text before any parser or recursive walk
 * sees it. JSON.parse itself copes with deep input, but the code after it (null stripping, schema
 * reads, JSON.stringify of stored properties) recurses and would overflow the stack on a body
 * such as 100,000 `[`: a 500 instead of the 400 the input deserves (docs/request-limits.md).
 */
import { MailgateError } from './errors.js';

/** Deeper than any vendor request (Graph's deepest, a flag's dueDateTime, is 5), far below any stack limit. */
export const MAX_JSON_DEPTH = 64;

const OPEN = new Set(['{', '[', '(']);
const CLOSE = new Set(['}', ']', ')']);

/**
 * Throws `malformed_request` when brackets outside strings nest deeper than `max`. Strings may be
 * quoted with `"` or `'` (the Mimecast dialect's Python literals), so one scan serves both grammars;
 * it counts, it does not validate: the parser that follows reports every other mistake.
 */
export function assertJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (OPEN.has(ch)) {
      if (++depth > max) throw new MailgateError('malformed_request', `The request body: nesting deeper than ${max} levels`);
    } else if (CLOSE.has(ch)) {
      depth--;
    }
  }
}
