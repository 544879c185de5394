/** Message bodies of an exact size made of short ASCII lines, so no transfer encoding changes their size. */
const LINE = 'The quick brown fox jumps over the lazy dog while the mail queue drains steadily.'.slice(0, 74);

/** `bytes` of text in CRLF-terminated lines of 76 octets. */
export function textOfSize(bytes: number): string {
  const line = `${LINE}\r\n`;
  const full = line.repeat(Math.floor(bytes / line.length));
  return full + 'x'.repeat(bytes - full.length);
}
