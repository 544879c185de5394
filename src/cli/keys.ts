/**
 * `mailgate keys create --user <email> [--expires <ISO date>] [--by NAME]`: Mimecast API 1.0 app + access/secret keys.
 * `mailgate keys list` (one JSON line per key, no secrets) and `mailgate keys revoke <accessKey>` (docs/identities.md).
 * `mailgate keys create --user <email> --oauth [--app-name <name>]`: a Mimecast API 2.0 application
 * bound to the user; its client secret is printed once and stored only hashed.
 */
import { parseArgs, required, single, unknownChoice, UsageError } from './args.js';
import { printJson, printJsonLines, type CliContext } from './context.js';
import { cliOperator } from './policy.js';

export async function keysCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...given] = argv;
  if (action === 'list') {
    parseArgs(given, []);
    return printJsonLines(await ctx.identities.keys());
  }
  if (action === 'revoke') {
    const args = parseArgs(given, ['by']);
    const accessKey = args.positional[0];
    if (!accessKey) throw new UsageError('keys revoke needs <accessKey> (see keys list)');
    return printJson(await ctx.identities.revokeKey(accessKey, cliOperator(single(args, 'by'))));
  }
  if (action !== 'create') throw unknownChoice('keys action', action, ['create', 'list', 'revoke']);
  const args = parseArgs(given, ['user', 'expires', 'app-name', 'by'], ['oauth']);
  const operator = cliOperator(single(args, 'by'));
  const oauth = args.flags.has('oauth');
  const appName = single(args, 'app-name');
  if (oauth) {
    if (single(args, 'expires') !== undefined) throw new UsageError('--expires applies to 1.0 keys; 2.0 bearer tokens expire on their own');
    const created = await ctx.identities.createApp({ user: required(args, 'user'), ...(appName ? { name: appName } : {}) }, operator);
    printJson({ clientId: created.clientId, clientSecret: created.clientSecret });
    return;
  }
  const expires = single(args, 'expires');
  const expiresAt = expires === undefined ? null : Date.parse(expires);
  if (Number.isNaN(expiresAt)) throw new UsageError(`--expires is not a date: "${expires}"`);
  printJson(
    await ctx.identities.createKeys({ email: required(args, 'user'), expiresAt, ...(appName ? { appName } : {}) }, operator),
  );
}
