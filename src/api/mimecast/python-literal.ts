/**
 * Python's literal syntax as `repr` writes it, which Mimecast's own samples post as the request
 * body (`data=str(payload)`; docs/vendor-apis.md#request-tolerance). Parsed, never evaluated.
 */
import { MailgateError } from '../../core/errors.js';

// The parser's own guard, for callers that skip parseLenientBody's pre-scan; the pre-scan is stricter.
const MAX_DEPTH = 256;

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

const NUMBER = /[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?/y;
const PLAIN_RUN = /[^'"\\\r\n]*/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Recursive descent over Python's literal syntax as `repr` writes it (plus JSON's true/false/null,
 * because hand-built bodies mix the two). Never evaluates anything.
 */
class PythonLiteralParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the value`);
    return value;
  }

  private parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === '{') return this.parseDict(depth);
    if (ch === '[') return this.parseList(depth);
    if (ch === "'" || ch === '"') return this.parseString();
    if (ch !== undefined && /[-+.\d]/.test(ch)) return this.parseNumber();
    WORD.lastIndex = this.pos;
    const word = WORD.exec(this.text)?.[0];
    switch (word) {
      case 'True':
      case 'true':
        this.pos += word.length;
        return true;
      case 'False':
      case 'false':
        this.pos += word.length;
        return false;
      case 'None':
      case 'null':
        this.pos += word.length;
        return null;
      default:
        return this.fail(`expected a value, found ${this.describe()}`);
    }
  }

  private parseDict(depth: number): Record<string, unknown> {
    this.pos++; // {
    const result: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return result;
      }
      const keyAt = this.pos;
      const key = dictKey(this.parseValue(depth + 1));
      if (key === undefined) this.fail('a dict key must be a string, number, boolean or None', keyAt);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after a dict key, found ${this.describe()}`);
      this.pos++;
      // defineProperty, not assignment: a '__proto__' key must stay data, as with JSON.parse.
      Object.defineProperty(result, key, {
        value: this.parseValue(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (!this.separator('}')) this.fail(`expected ',' or '}' in a dict, found ${this.describe()}`);
    }
  }

  private parseList(depth: number): unknown[] {
    this.pos++; // [
    const result: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return result;
      }
      result.push(this.parseValue(depth + 1));
      if (!this.separator(']')) this.fail(`expected ',' or ']' in a list, found ${this.describe()}`);
    }
  }

  /** Consumes a ',' (Python allows a trailing one) or leaves the closer for the caller's loop. */
  private separator(closer: string): boolean {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === ',') {
      this.pos++;
      return true;
    }
    return ch === closer;
  }

  private parseString(): string {
    const start = this.pos;
    const quote = this.text[this.pos++];
    let out = '';
    for (;;) {
      // Copy the run up to the next quote, backslash or line break in one slice.
      PLAIN_RUN.lastIndex = this.pos;
      const run = PLAIN_RUN.exec(this.text)?.[0] ?? '';
      out += run;
      this.pos += run.length;
      const ch = this.text[this.pos];
      if (ch === undefined || ch === '\n' || ch === '\r') this.fail('unterminated string', start);
      this.pos++;
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const escapeAt = this.pos - 1;
      const next = this.text[this.pos++];
      if (next === undefined) this.fail('unterminated string', start);
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        out += simple;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = this.text.slice(this.pos, this.pos + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail(`bad \\${next} escape`, escapeAt);
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) this.fail(`\\${next} escape beyond U+10FFFF`, escapeAt);
        out += String.fromCodePoint(code);
        this.pos += width;
      } else if (/[0-7]/.test(next)) {
        const octal = /[0-7]{1,3}/y;
        octal.lastIndex = this.pos - 1;
        const digits = octal.exec(this.text)?.[0] ?? next;
        out += String.fromCodePoint(parseInt(digits, 8));
        this.pos += digits.length - 1;
      } else if (next === '\n' || next === '\r') {
        // Backslash-newline continues the literal on the next line, as in Python source.
        if (next === '\r' && this.text[this.pos] === '\n') this.pos++;
      } else {
        // Python keeps unknown escapes verbatim ('\q' is two characters).
        out += '\\' + next;
      }
    }
  }

  private parseNumber(): number {
    const start = this.pos;
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text)?.[0];
    // Python's repr writes inf and nan for non-finite floats; JSON has no such values.
    if (match === undefined) this.fail(`expected a number, found ${this.describe()}`);
    if (/_(?!\d)|(?<!\d)_/.test(match)) this.fail('misplaced "_" in a number', start);
    const value = Number(match.replace(/_/g, ''));
    if (!Number.isFinite(value)) this.fail(`number out of range: ${match}`, start);
    this.pos += match.length;
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  private describe(): string {
    const rest = this.text.slice(this.pos, this.pos + 12);
    return rest === '' ? 'the end of the body' : JSON.stringify(rest);
  }

  private fail(problem: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new MailgateError(
      'malformed_request',
      `The request body is neither JSON nor a Python literal: ${problem} at line ${line}, column ${column}`,
    );
  }
}

/** Non-string keys become strings the way json.dumps converts them. */
function dictKey(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return String(key);
  if (typeof key === 'boolean') return String(key);
  if (key === null) return 'null';
  return undefined;
}

/** The value of a Python literal document; throws malformed_request naming where it went wrong. */
export function parsePythonLiteral(text: string): unknown {
  return new PythonLiteralParser(text).parseDocument();
}
