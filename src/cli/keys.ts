/** `mailgate keys create --user <email> [--expires <ISO date>]`: Mimecast app + access/secret keys. */
import { createMimecastKeys } from '../auth/identity.js';
import { parseArgs, required, single, UsageError } from './args.js';
import { printJson, type CliContext } from './context.js';

export async function keysCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'create') throw new UsageError(`unknown keys action "${action ?? ''}" (create)`);
  const args = parseArgs(rest, ['user', 'expires', 'app-name']);
  const expires = single(args, 'expires');
  const expiresAt = expires === undefined ? null : Date.parse(expires);
  if (Number.isNaN(expiresAt)) throw new UsageError(`--expires is not a date: "${expires}"`);
  const appName = single(args, 'app-name');
  printJson(
    await createMimecastKeys(ctx.store, ctx.secrets, {
      email: required(args, 'user'),
      expiresAt,
      ...(appName ? { appName } : {}),
    }),
  );
}
