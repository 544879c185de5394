/**
 * `mailgate app create --name N [--permission P]... [--redirect-uri U]...`: an OAuth client app; the
 * secret is printed once. `mailgate app service-account --client ID`: a service account for the
 * JWT bearer grant; its private key is printed once. `mailgate app list` (one JSON line per app, no
 * secrets) and `mailgate app revoke <clientId>` (docs/identities.md).
 */
import { registerRedirectUri } from '../auth/authorization-codes.js';
import { authenticateClient } from '../auth/oauth-clients.js';
import { createServiceAccount } from '../auth/service-accounts.js';
import { tenantIdFor } from '../auth/tenant.js';
import { parseArgs, required, single, unknownChoice, UsageError } from './args.js';
import { printJson, printJsonLines, type CliContext } from './context.js';
import { cliOperator } from './policy.js';

export async function appCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'service-account') {
    const client = await authenticateClient(ctx.store, required(parseArgs(rest, ['client']), 'client'), undefined);
    const { account, privateKey } = await createServiceAccount(ctx.store, client.clientId, ctx.config.hostname, Date.now());
    printJson({ clientId: client.clientId, serviceAccount: account.accountId, privateKey });
    return;
  }
  if (action === 'list') {
    parseArgs(rest, []);
    return printJsonLines(await ctx.identities.apps());
  }
  if (action === 'revoke') {
    const args = parseArgs(rest, ['by']);
    const clientId = args.positional[0];
    if (!clientId) throw new UsageError('app revoke needs <clientId> (see app list)');
    return printJson(await ctx.identities.revokeApp(clientId, cliOperator(single(args, 'by'))));
  }
  if (action !== 'create') throw unknownChoice('app action', action, ['create', 'service-account', 'list', 'revoke']);
  const args = parseArgs(rest, ['name', 'permission', 'redirect-uri', 'by']);
  const created = await ctx.identities.createApp({ name: required(args, 'name'), permissions: args.options.get('permission') ?? [] }, cliOperator(single(args, 'by')));
  const redirectUris = args.options.get('redirect-uri') ?? [];
  for (const uri of redirectUris) await registerRedirectUri(ctx.store, created.clientId, uri, Date.now());
  printJson({
    tenantId: tenantIdFor(ctx.config.hostname),
    clientId: created.clientId,
    clientSecret: created.clientSecret,
    ...(redirectUris.length ? { redirectUris } : {}),
  });
}
