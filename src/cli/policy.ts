/**
 * `mailgate policy list | add | remove`: hold policies (see README). Parameters are given as
 * flags (`--extension exe --extension js`, `--pattern REGEX`, `--address @bad.test` …).
 */
import { userInfo } from 'node:os';
import type { Policy, PolicyParams } from '../core/policy.js';
import type { DetectionLevel } from '../core/spam-info.js';
import type { Route } from '../core/tracking.js';
import { parseArgs, required, single, UsageError, unknownChoice } from './args.js';
import { printJson, type CliContext } from './context.js';

const OPTIONS = ['id', 'name', 'kind', 'route', 'held-group', 'position', 'disabled', 'level', 'min-score', 'extension', 'content-type', 'max-size', 'pattern', 'target', 'address', 'by'];

/** The audit operator of a CLI change. */
export function cliOperator(by: string | undefined): string {
  return by ?? `cli:${userInfo().username}`;
}

function paramsOf(args: ReturnType<typeof parseArgs>): PolicyParams {
  const params: PolicyParams = {};
  const level = single(args, 'level');
  if (level) params.level = level as DetectionLevel;
  const minScore = single(args, 'min-score');
  if (minScore !== undefined) params.minScore = Number(minScore);
  const extensions = args.options.get('extension');
  if (extensions) params.extensions = extensions;
  const types = args.options.get('content-type');
  if (types) params.contentTypes = types;
  const maxSize = single(args, 'max-size');
  if (maxSize !== undefined) params.maxSize = Number(maxSize);
  const pattern = single(args, 'pattern');
  if (pattern !== undefined) params.pattern = pattern;
  const target = single(args, 'target');
  if (target) params.target = target as PolicyParams['target'];
  const addresses = args.options.get('address');
  if (addresses) params.addresses = addresses;
  return params;
}

export async function policyCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const args = parseArgs(rest, OPTIONS);
  if (action === 'list') {
    printJson(await ctx.settings.policies());
    return;
  }
  if (action === 'add') {
    const id = single(args, 'id');
    const position = single(args, 'position');
    const policy = await ctx.settings.savePolicy(
      {
        ...(id ? { id } : {}),
        name: required(args, 'name'),
        kind: required(args, 'kind') as Policy['kind'],
        ...(args.options.get('route') ? { routes: args.options.get('route') as Route[] } : {}),
        ...(single(args, 'held-group') ? { heldGroup: single(args, 'held-group') as Policy['heldGroup'] } : {}),
        ...(position !== undefined ? { position: Number(position) } : {}),
        ...(single(args, 'disabled') === 'true' ? { enabled: false } : {}),
        params: paramsOf(args),
      },
      cliOperator(single(args, 'by')),
    );
    printJson(policy);
    return;
  }
  if (action === 'remove') {
    const id = args.positional[0];
    if (!id) throw new UsageError('policy remove needs the policy id');
    await ctx.settings.deletePolicy(id, cliOperator(single(args, 'by')));
    printJson({ removed: id });
    return;
  }
  throw unknownChoice('policy action', action, ['list', 'add', 'remove']);
}
