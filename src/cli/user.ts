/**
 * `mailgate user add <email> [--name N] [--role R]... [--password P|-]`, `mailgate user delegate <email> --address A`,
 * `mailgate user list` (one JSON line per user) and `mailgate user remove <email> [--by NAME]` (docs/identities.md).
 */
import { addUser, requireUser } from '../auth/identity.js';
import { setUserPassword } from '../auth/passwords.js';
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
  const args = parseArgs(rest, action === 'remove' ? ['by'] : ['name', 'role', 'address', 'password']);
  const email = args.positional[0];
  if (!email) throw new UsageError('an email address is required');
  if (action === 'remove') return printJson(await ctx.identities.removeUser(email, cliOperator(single(args, 'by'))));
  if (action === 'add') {
    const name = single(args, 'name');
    const password = single(args, 'password');
    const user = await addUser(ctx.store, { email, ...(name ? { name } : {}), roles: args.options.get('role') ?? [] });
    // `--password -` reads it from stdin, keeping it out of the process list and shell history.
    if (password !== undefined) await setUserPassword(ctx.store, user.id, password === '-' ? await readStdin() : password);
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
