/**
 * `mailgate user add <email> [--name N] [--role R]... [--password P|-] [--by NAME]`, `mailgate user delegate <email> --address A`,
 * `mailgate user list` (one JSON line per user) and `mailgate user remove <email> [--by NAME]` (docs/identities.md).
 */
import { requireUser } from '../auth/identity.js';
import { assertAddress } from '../core/validate.js';
import { parseArgs, required, single, unknownChoice, UsageError } from './args.js';
import { printJson, printJsonLines, type CliContext } from './context.js';
import { cliOperator } from './policy.js';

const ACTIONS = ['add', 'delegate', 'list', 'remove'];

export async function userCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'list') {
    parseArgs(rest, []);
    return printJsonLines(await ctx.identities.users());
  }
  if (!ACTIONS.includes(action ?? '')) throw unknownChoice('user action', action, ACTIONS);
  const args = parseArgs(rest, { remove: ['by'], add: ['name', 'role', 'password', 'by'] }[action as string] ?? ['address']);
  const email = args.positional[0];
  if (!email) throw new UsageError('an email address is required');
  if (action === 'remove') return printJson(await ctx.identities.removeUser(email, cliOperator(single(args, 'by'))));
  if (action === 'add') {
    const name = single(args, 'name');
    const password = single(args, 'password');
    // `--password -` reads it from stdin, keeping it out of the process list and shell history.
    const secret = password === '-' ? await readStdin() : password;
    const user = await ctx.identities.createUser(
      { email, ...(name ? { name } : {}), roles: args.options.get('role') ?? [], ...(secret !== undefined ? { password: secret } : {}) },
      cliOperator(single(args, 'by')),
    );
    printJson({ id: user.id, email: user.email, name: user.name, roles: user.roles });
    return;
  }
  const user = await requireUser(ctx.store, email);
  const address = assertAddress(required(args, 'address'), 'address').toLowerCase();
  await ctx.store.addDelegation(user.id, address);
  printJson({ email: user.email, delegations: await ctx.store.listDelegations(user.id) });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
