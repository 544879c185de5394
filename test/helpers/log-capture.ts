/** A pino logger writing to memory, for tests that read what the gateway logged. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogCapture {
  log: Logger;
  /** Everything written so far, as pino wrote it (one JSON object per line). */
  text(): string;
  lines(): Array<Record<string, unknown>>;
}

export function captureLogs(level = 'info'): LogCapture {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return {
    log: pino({ level }, stream),
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
