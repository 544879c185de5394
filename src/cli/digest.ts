/**
 * `mailgate digest send [--recipient <addr>]`: queues quarantine digests now, whatever the schedule
 * (docs/quarantine-digest.md), through the same ingest as everything else; a running gateway
 * delivers them.
 */
import type { Gateway } from '../gateway.js';
import { parseArgs, single, unknownChoice, UsageError } from './args.js';
import { printJson } from './context.js';

export async function digestCommand(gateway: Gateway, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'send') throw unknownChoice('digest action', action, ['send']);
  const recipient = single(parseArgs(rest, ['recipient']), 'recipient');
  if (gateway.config.digestDomains.length === 0) throw new UsageError('no digests are configured: set MAILGATE_DIGEST_DOMAINS');
  printJson({ sent: await gateway.digest.sendNow(recipient) });
}
