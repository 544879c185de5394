/**
 * `mailgate suppression list`, `suppression add <address> [--reason R] [--expires ISO] [--by NAME]`,
 * `suppression remove <address> [--by NAME]`: the addresses client mail is not sent to (docs/bounces.md).
 */
import { systemClock } from '../core/ports.js';
import { createSuppressions } from '../services/suppressions.js';
import { parseArgs, single, unknownChoice, UsageError } from './args.js';
import { printJson, type CliContext } from './context.js';

function operator(by: string | undefined): string {
  return by ?? `cli:${process.env.USER ?? 'unknown'}`;
}

function onlyAddress(positional: readonly string[]): string {
  const [address, extra] = positional;
  if (!address) throw new UsageError('an address is required');
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return address;
}

export async function suppressionCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const suppressions = createSuppressions({ store: ctx.store, clock: systemClock, bounceDays: ctx.config.suppressionDays });
  if (action === 'list') {
    parseArgs(rest, []);
    printJson(await suppressions.list());
    return;
  }
  if (action === 'add') {
    const args = parseArgs(rest, ['reason', 'expires', 'by']);
    const expires = single(args, 'expires');
    const expiresAt = expires === undefined ? undefined : Date.parse(expires);
    if (expiresAt !== undefined && !Number.isFinite(expiresAt)) throw new UsageError(`--expires is not a date: "${expires}"`);
    const reason = single(args, 'reason');
    const entry = await suppressions.add(
      { address: onlyAddress(args.positional), ...(reason !== undefined ? { reason } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) },
      operator(single(args, 'by')),
    );
    printJson(entry);
    return;
  }
  if (action === 'remove') {
    const args = parseArgs(rest, ['by']);
    const address = onlyAddress(args.positional);
    await suppressions.remove(address, operator(single(args, 'by')));
    printJson({ address: address.toLowerCase(), removed: true });
    return;
  }
  throw unknownChoice('suppression action', action, ['list', 'add', 'remove']);
}
