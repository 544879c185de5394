/**
 * `mailgate queue list [--state S] [--domain D] [--sender A] [--older-than 2h] [--limit N] [--json]`,
 * `queue show <messageId>`, `queue retry|bounce|delete <messageId> [--by NAME]`,
 * `queue flush <domain> [--by NAME]`: queue control as the admin API offers it (docs/queue-control.md).
 */
import { QUEUE_STATES, type QueueState } from '../core/storage/queue-store.js';
import type { Gateway } from '../gateway.js';
import type { QueueEntryView, QueueListQuery } from '../services/queue-control.js';
import { parseArgs, single, unknownChoice, UsageError } from './args.js';
import { printJson } from './context.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `15m`, `2h`, `1d` as seconds. */
export function durationSeconds(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`--older-than takes a duration such as 90s, 15m, 2h or 1d, not "${text}"`);
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
}

function isState(value: string): value is QueueState {
  return (QUEUE_STATES as readonly string[]).includes(value);
}

/** Actions from the command line are attributed to the operating-system user unless --by says otherwise. */
function operator(by: string | undefined): string {
  return by ?? `cli:${process.env.USER ?? 'unknown'}`;
}

function listQuery(argv: readonly string[]): { query: QueueListQuery; json: boolean } {
  const args = parseArgs(argv, ['state', 'domain', 'sender', 'older-than', 'limit'], ['json']);
  const query: QueueListQuery = {};
  const state = single(args, 'state');
  if (state !== undefined) {
    if (!isState(state)) throw new UsageError(`--state must be one of ${QUEUE_STATES.join(', ')}`);
    query.state = state;
  }
  const domain = single(args, 'domain');
  const sender = single(args, 'sender');
  const olderThan = single(args, 'older-than');
  const limit = single(args, 'limit');
  if (domain !== undefined) query.domain = domain;
  if (sender !== undefined) query.sender = sender;
  if (olderThan !== undefined) query.olderThanSeconds = durationSeconds(olderThan);
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit)) throw new UsageError('--limit takes a number');
    query.limit = Number(limit);
  }
  return { query, json: args.flags.has('json') };
}

function table(entries: readonly QueueEntryView[], total: number): string {
  const rows = [
    ['MESSAGE', 'STATE', 'TRIES', 'NEXT ATTEMPT', 'RECIPIENT', 'LAST REPLY'],
    ...entries.map((e) => [e.messageId, e.state, String(e.attempts), e.nextAttemptAt, e.recipient, [e.lastCode, e.lastReply].filter((x) => x !== null).join(' ')]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
  return [...lines, `${entries.length} of ${total} waiting deliveries`].join('\n');
}

function target(argv: readonly string[], what: string): { id: string; by: string } {
  const args = parseArgs(argv, ['by']);
  const [id, extra] = args.positional;
  if (!id) throw new UsageError(`a ${what} is required`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return { id, by: operator(single(args, 'by')) };
}

export async function queueCommand(gateway: Gateway, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const { queue } = gateway;
  switch (action) {
    case 'list': {
      const { query, json } = listQuery(rest);
      const page = await queue.list(query);
      // --json: one object per line, for jq and scripts.
      if (json) process.stdout.write(page.entries.map((e) => JSON.stringify(e) + '\n').join(''));
      else process.stdout.write(table(page.entries, page.total) + '\n');
      return;
    }
    case 'show':
      return printJson(await queue.show(target(rest, 'message id').id));
    case 'retry': {
      const { id, by } = target(rest, 'message id');
      return printJson(await queue.retry(id, by));
    }
    case 'bounce': {
      const { id, by } = target(rest, 'message id');
      return printJson(await queue.bounce(id, by));
    }
    case 'delete': {
      const { id, by } = target(rest, 'message id');
      return printJson(await queue.remove(id, by));
    }
    case 'flush': {
      const { id, by } = target(rest, 'domain');
      return printJson(await queue.flush(id, by));
    }
    default:
      throw unknownChoice('queue action', action, ['list', 'show', 'retry', 'bounce', 'delete', 'flush']);
  }
}
