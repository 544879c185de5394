/** `mailgate dnsbl list | add <zone> [--kind ip|domain] [--weight N] | remove <zone>`. */
import { parseArgs, single, UsageError, unknownChoice } from './args.js';
import { printJson, type CliContext } from './context.js';
import { cliOperator } from './policy.js';

export async function dnsblCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const args = parseArgs(rest, ['kind', 'weight', 'by']);
  const zone = args.positional[0];
  if (action === 'list') {
    printJson(await ctx.store.listDnsblZones());
    return;
  }
  if (!zone) throw new UsageError(`dnsbl ${action ?? ''} needs a zone`);
  if (action === 'add') {
    const kind = single(args, 'kind');
    const weight = single(args, 'weight');
    printJson(await ctx.settings.saveZone({ zone, ...(kind ? { kind } : {}), ...(weight !== undefined ? { weight: Number(weight) } : {}) }, cliOperator(single(args, 'by'))));
    return;
  }
  if (action === 'remove') {
    await ctx.settings.removeZone(zone, cliOperator(single(args, 'by')));
    printJson({ removed: zone });
    return;
  }
  throw unknownChoice('dnsbl action', action, ['list', 'add', 'remove']);
}
