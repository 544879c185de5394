/** `mailgate app create --name N --permission Mail.Send`: an OAuth client app; the secret is printed once. */
import { createOAuthClient } from '../auth/oauth-clients.js';
import { tenantIdFor } from '../auth/tenant.js';
import { parseArgs, required, UsageError } from './args.js';
import { printJson, type CliContext } from './context.js';

export async function appCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'create') throw new UsageError(`unknown app action "${action ?? ''}" (create)`);
  const args = parseArgs(rest, ['name', 'permission']);
  const created = await createOAuthClient(ctx.store, { name: required(args, 'name'), permissions: args.options.get('permission') ?? [] });
  printJson({ tenantId: tenantIdFor(ctx.config.hostname), clientId: created.clientId, clientSecret: created.clientSecret });
}
