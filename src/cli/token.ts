/**
 * `mailgate token create --user <email> --scope mail`: a LINE WORKS user-account access token and
 * refresh token for scripts and tests, printed as the token endpoint's JSON. The refresh token is
 * redeemed at `/works/oauth2/v2.0/token` with `client_id=mailgate-cli` (a public client: no secret).
 */
import { requireUser } from '../auth/identity.js';
import { createTokenService } from '../auth/tokens.js';
import { CLI_CLIENT_ID, issueWorksUserTokens, worksScopesOf } from '../api/works/auth.js';
import { systemClock } from '../core/ports.js';
import { parseArgs, required, single, unknownChoice } from './args.js';
import { printJson, type CliContext } from './context.js';

export async function tokenCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'create') throw unknownChoice('token action', action, ['create']);
  const args = parseArgs(rest, ['user', 'scope']);
  const user = await requireUser(ctx.store, required(args, 'user').trim().toLowerCase());
  const scopes = worksScopesOf(single(args, 'scope') ?? 'mail');
  const tokens = createTokenService({ store: ctx.store, secrets: ctx.secrets, clock: systemClock });
  printJson(
    await issueWorksUserTokens(
      { tokens, store: ctx.store, hostname: ctx.config.hostname, now: systemClock.now() },
      { user, clientId: CLI_CLIENT_ID, scopes, withRefreshToken: true },
    ),
  );
}
