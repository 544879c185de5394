/**
 * `mailgate master-key rotate [--new-key-file F]`: re-seals every stored secret with a new master
 * key in one transaction (docs/files-at-rest.md). Stop every gateway process first: a process still
 * holding the old key cannot open the re-sealed secrets.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { resealSecrets } from '../auth/master-key-check.js';
import { createSecretBox } from '../auth/secret-box.js';
import { parseArgs, single, UsageError, unknownChoice } from './args.js';
import { printJson, type CliContext } from './context.js';

async function newKeyFrom(file: string | undefined): Promise<Buffer> {
  if (file === undefined) return randomBytes(32);
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== 32) throw new UsageError(`${file} does not hold a 32-byte base64 key`);
  return key;
}

/** Writes and fsyncs `text` to `file` (0600) without replacing anything. */
async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function masterKeyCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'rotate') throw unknownChoice('master-key action', action, ['rotate']);
  const args = parseArgs(rest, ['new-key-file']);
  const key = await newKeyFrom(single(args, 'new-key-file'));
  const encoded = key.toString('base64');
  const fromEnv = Boolean(process.env.MAILGATE_MASTER_KEY);
  const keyFile = path.join(ctx.config.dataDir, 'master.key');
  // The new key is on disk before any secret depends on it: a stop after the commit leaves
  // master.key.new to move into place, never secrets that no key opens.
  if (!fromEnv) await writeDurably(`${keyFile}.new`, encoded + '\n');
  const resealed = await resealSecrets(ctx.store, ctx.secrets, createSecretBox(key));
  if (!fromEnv) await rename(`${keyFile}.new`, keyFile);
  // With MAILGATE_MASTER_KEY the key lives outside the data dir: the operator must install it everywhere.
  printJson(fromEnv ? { resealed, masterKey: encoded } : { resealed, masterKeyFile: keyFile });
}
