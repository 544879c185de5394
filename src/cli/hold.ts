/**
 * `mailgate hold add (--message ID | --address A) --description D [--expires ISO] [--by NAME]`,
 * `mailgate hold list [--all]`, `mailgate hold release <holdId> [--by NAME]`: litigation holds,
 * which suspend retention purging for a message or for all mail to or from an address.
 */
import { systemClock } from '../core/ports.js';
import { createLitigationHolds } from '../tracking/litigation-holds.js';
import { parseArgs, required, single, UsageError, unknownChoice } from './args.js';
import { printJson, type CliContext } from './context.js';

/** Holds placed from the command line are attributed to the operating-system user unless --by says otherwise. */
function operator(by: string | undefined): string {
  return by ?? `cli:${process.env.USER ?? 'unknown'}`;
}

function expiry(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) throw new UsageError(`--expires is not a date: "${text}"`);
  return at;
}

export async function holdCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const holds = createLitigationHolds(ctx.store, systemClock);
  if (action === 'add') {
    const args = parseArgs(rest, ['message', 'address', 'description', 'expires', 'by']);
    const messageId = single(args, 'message');
    const address = single(args, 'address');
    const expiresAt = expiry(single(args, 'expires'));
    const hold = await holds.place(
      {
        ...(messageId !== undefined ? { messageId } : {}),
        ...(address !== undefined ? { address } : {}),
        description: required(args, 'description'),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      },
      operator(single(args, 'by')),
    );
    printJson(hold);
    return;
  }
  if (action === 'list') {
    const all = parseArgs(rest, [], ['all']).flags.has('all');
    printJson(await holds.list(all));
    return;
  }
  if (action === 'release') {
    const args = parseArgs(rest, ['by']);
    const id = args.positional[0];
    if (!id) throw new UsageError('a hold id is required');
    await holds.release(id, operator(single(args, 'by')));
    printJson({ id, released: true });
    return;
  }
  throw unknownChoice('hold action', action, ['add', 'list', 'release']);
}
