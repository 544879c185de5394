/** vitest globalSetup: builds the console (web/ → dist/web) when it is missing or older than its sources. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const root = path.resolve(import.meta.dirname, '../..');
const built = path.join(root, 'dist/web/index.html');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

export default async function setup(): Promise<void> {
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    // Not built yet.
  }
  if (builtAt > newest(path.join(root, 'web'))) return;
  await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn' });
}
