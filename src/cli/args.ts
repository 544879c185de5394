/**
 * Subcommand options on node:util's parseArgs: `--name value` or `--name=value` (repeated options
 * collect into lists), `switches` take no value, anything unknown is a usage error.
 */
import { parseArgs as parseNodeArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
  /** The switches given. */
  flags: Set<string>;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], known: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const options = Object.fromEntries([
    ...known.map((name) => [name, { type: 'string', multiple: true }] as const),
    ...switches.map((name) => [name, { type: 'boolean' }] as const),
  ]);
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(usageText(error, [...known, ...switches].map((name) => `--${name}`)));
  }
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === true) flags.add(name);
    else if (Array.isArray(value)) values.set(name, value.filter((v): v is string => typeof v === 'string'));
  }
  return { positional: parsed.positionals, options: values, flags };
}

/** The nearest of `choices` to a misspelt `given`, when near enough to be a likely typo. */
export function nearest(given: string, choices: readonly string[]): string | undefined {
  if (choices.length === 0) return undefined;
  const best = closest(given, [...choices]);
  return distance(given, best) <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

/** `unknown <what> "<given>"; did you mean "<nearest>"?`, or the list of choices when none is near. */
export function unknownChoice(what: string, given: string | undefined, choices: readonly string[]): UsageError {
  if (given === undefined || given === '') return new UsageError(`a ${what} is needed (${choices.join(', ')})`);
  const near = nearest(given, choices);
  return new UsageError(`unknown ${what} "${given}"${near ? `; did you mean "${near}"?` : ` (${choices.join(', ')})`}`);
}

/** node:util's messages, shortened to the CLI's one-line form. */
function usageText(error: unknown, options: readonly string[]): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[^'\s]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = option === undefined ? undefined : nearest(option, options);
    return `unknown option ${option ?? message}${near ? `; did you mean "${near}"?` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = (option ?? message).split(' ')[0] ?? '';
    return `${name} needs a value (write ${name}=VALUE for a value that starts with -)`;
  }
  return message;
}

export function single(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.at(-1);
}

export function required(args: ParsedArgs, name: string): string {
  const value = single(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}
