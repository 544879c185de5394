/**
 * `mailgate app create --name N [--permission P]... [--redirect-uri U]...`: an OAuth client app; the
 * secret is printed once. `mailgate app service-account --client ID`: a service account for the
 * JWT bearer grant; its private key is printed once.
 */
import { registerRedirectUri } from '../auth/authorization-codes.js';
import { authenticateClient, createOAuthClient } from '../auth/oauth-clients.js';
import { createServiceAccount } from '../auth/service-accounts.js';
import { tenantIdFor } from '../auth/tenant.js';
import { parseArgs, required, UsageError } from './args.js';
import { printJson, type CliContext } from './context.js';

export async function appCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'service-account') {
    const client = await authenticateClient(ctx.store, required(parseArgs(rest, ['client']), 'client'), undefined);
    const { account, privateKey } = await createServiceAccount(ctx.store, client.clientId, ctx.config.hostname, Date.now());
    printJson({ clientId: client.clientId, serviceAccount: account.accountId, privateKey });
    return;
  }
  if (action !== 'create') throw new UsageError(`unknown app action "${action ?? ''}" (create, service-account)`);
  const args = parseArgs(rest, ['name', 'permission', 'redirect-uri']);
  const created = await createOAuthClient(ctx.store, { name: required(args, 'name'), permissions: args.options.get('permission') ?? [] });
  const redirectUris = args.options.get('redirect-uri') ?? [];
  for (const uri of redirectUris) await registerRedirectUri(ctx.store, created.clientId, uri, Date.now());
  printJson({
    tenantId: tenantIdFor(ctx.config.hostname),
    clientId: created.clientId,
    clientSecret: created.clientSecret,
    ...(redirectUris.length ? { redirectUris } : {}),
  });
}
