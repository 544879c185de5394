/** `mailgate user add <email> [--name N] [--role R]... [--password P|-]` and `mailgate user delegate <email> --address A`. */
import { addUser, requireUser } from '../auth/identity.js';
import { setUserPassword } from '../auth/passwords.js';
import { assertAddress } from '../core/validate.js';
import { parseArgs, required, single, UsageError } from './args.js';
import { printJson, type CliContext } from './context.js';

export async function userCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const args = parseArgs(rest, ['name', 'role', 'address', 'password']);
  const email = args.positional[0];
  if (!email) throw new UsageError('an email address is required');
  if (action === 'add') {
    const name = single(args, 'name');
    const password = single(args, 'password');
    const user = await addUser(ctx.store, { email, ...(name ? { name } : {}), roles: args.options.get('role') ?? [] });
    // `--password -` reads it from stdin, keeping it out of the process list and shell history.
    if (password !== undefined) await setUserPassword(ctx.store, user.id, password === '-' ? await readStdin() : password);
    printJson({ id: user.id, email: user.email, name: user.name, roles: user.roles });
    return;
  }
  if (action === 'delegate') {
    const user = await requireUser(ctx.store, email);
    const address = assertAddress(required(args, 'address'), 'address').toLowerCase();
    await ctx.store.addDelegation(user.id, address);
    printJson({ email: user.email, delegations: await ctx.store.listDelegations(user.id) });
    return;
  }
  throw new UsageError(`unknown user action "${action ?? ''}" (add, delegate)`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
