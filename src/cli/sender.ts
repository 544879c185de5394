/** `mailgate sender list [permitted|blocked] | add <list> <pattern> [--note N] | remove <list> <pattern|id>`. */
import { assertSenderList } from '../services/inbound-settings.js';
import { parseArgs, single, UsageError, unknownChoice } from './args.js';
import { printJson, type CliContext } from './context.js';
import { cliOperator } from './policy.js';

export async function senderCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const args = parseArgs(rest, ['note', 'by']);
  const [list, pattern] = args.positional;
  if (action === 'list') {
    printJson(await ctx.settings.senders(list ? assertSenderList(list) : undefined));
    return;
  }
  if (!list || !pattern) throw new UsageError(`sender ${action ?? ''} needs a list (permitted, blocked) and a pattern`);
  if (action === 'add') {
    printJson(await ctx.settings.addSender(list, pattern, single(args, 'note'), cliOperator(single(args, 'by'))));
    return;
  }
  if (action === 'remove') {
    await ctx.settings.removeSender(list, pattern, cliOperator(single(args, 'by')));
    printJson({ removed: pattern, list });
    return;
  }
  throw unknownChoice('sender action', action, ['list', 'add', 'remove']);
}
