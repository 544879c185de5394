import { describe, expect, it } from 'vitest';
import { assertJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('assertJsonDepth', () => {
  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(() => assertJsonDepth(deep(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => assertJsonDepth(deep(MAX_JSON_DEPTH + 1))).toThrow(/nesting deeper than 64 levels/);
  });

  it('does not count brackets inside double- or single-quoted strings', () => {
    expect(() => assertJsonDepth(JSON.stringify({ a: '['.repeat(500) }))).not.toThrow();
    expect(() => assertJsonDepth(`{'a': '${'{'.repeat(500)}'}`)).not.toThrow();
    expect(() => assertJsonDepth(`{"a": "it's ${'('.repeat(500)}"}`)).not.toThrow();
  });

  it('knows an escaped quote does not end a string, and an escaped backslash does not escape the quote', () => {
    expect(() => assertJsonDepth(JSON.stringify({ a: `"${'['.repeat(500)}` }))).not.toThrow();
    expect(() => assertJsonDepth(`{'a': '\\'${'['.repeat(500)}'}`)).not.toThrow();
    // "\\" ends the string: what follows is structure again.
    expect(() => assertJsonDepth(`{"a": "\\\\", "b": ${deep(MAX_JSON_DEPTH)}}`)).toThrow(/nesting deeper/);
  });

  it('treats an unterminated string as running to the end', () => {
    expect(() => assertJsonDepth(`{"a": "${'['.repeat(500)}`)).not.toThrow();
  });
});
