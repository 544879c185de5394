/** The gateway's version, from package.json (one level above src/ and dist/ alike). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function mailgateVersion(): string {
  const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
