/** Numbered, append-only SQL migrations per backend, applied in order and recorded. */
import { readdir, readFile } from 'node:fs/promises';

export interface MigrationTarget {
  /** Names of the migrations already applied. */
  applied(): Promise<Set<string>>;
  /** Runs one migration script and records its name, atomically. */
  apply(name: string, script: string): Promise<void>;
}

export function migrationsDir(backend: 'sqlite' | 'postgres'): URL {
  return new URL(`./migrations/${backend}/`, import.meta.url);
}

export async function runMigrations(backend: 'sqlite' | 'postgres', target: MigrationTarget): Promise<string[]> {
  const dir = migrationsDir(backend);
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[a-z0-9_]+\.sql$/.test(n)).sort();
  const done = await target.applied();
  const ran: string[] = [];
  for (const name of names) {
    if (done.has(name)) continue;
    await target.apply(name, await readFile(new URL(name, dir), 'utf8'));
    ran.push(name);
  }
  return ran;
}
