/**
 * `mailgate webhook add --url U [--event E]... [--by NAME]` (prints `{"id","secret"}`, the only
 * time the secret is shown), `webhook list` and `webhook log <id> [--limit N]` (one JSON object
 * per line, no secrets), `webhook remove <id>`, `webhook enable <id>` (docs/webhooks.md).
 */
import { systemClock } from '../core/ports.js';
import { createWebhookSubscriptions } from '../services/webhooks/subscriptions.js';
import { parseArgs, required, single, unknownChoice, UsageError } from './args.js';
import { printJson, type CliContext } from './context.js';

const printLines = (values: readonly unknown[]): void => {
  for (const value of values) process.stdout.write(JSON.stringify(value) + '\n');
};

function idOf(rest: string[], options: readonly string[] = []): { id: string; args: ReturnType<typeof parseArgs> } {
  const args = parseArgs(rest, options);
  const id = args.positional[0];
  if (!id) throw new UsageError('a webhook id is required');
  return { id, args };
}

function limitOf(text: string | undefined): number {
  if (text === undefined) return 100;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000, got "${text}"`);
  return limit;
}

export async function webhookCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const webhooks = createWebhookSubscriptions({ store: ctx.store, secrets: ctx.secrets, clock: systemClock });
  switch (action) {
    case 'add': {
      const args = parseArgs(rest, ['url', 'event', 'by']);
      const by = single(args, 'by') ?? `cli:${process.env.USER ?? 'unknown'}`;
      return printJson(await webhooks.add({ url: required(args, 'url'), events: args.options.get('event') ?? [] }, by));
    }
    case 'list':
      parseArgs(rest, []);
      return printLines(await webhooks.list());
    case 'remove': {
      const { id } = idOf(rest);
      await webhooks.remove(id);
      return printJson({ id, removed: true });
    }
    case 'enable':
      return printJson(await webhooks.enable(idOf(rest).id));
    case 'log': {
      const { id, args } = idOf(rest, ['limit']);
      return printLines(await webhooks.log(id, limitOf(single(args, 'limit'))));
    }
    default:
      throw unknownChoice('webhook action', action, ['add', 'list', 'remove', 'enable', 'log']);
  }
}
