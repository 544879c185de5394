/** Minimal `--name value` option reading for subcommands; repeated options collect into lists. */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], known: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positional, options };
}

export function single(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.at(-1);
}

export function required(args: ParsedArgs, name: string): string {
  const value = single(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}
