/**
 * `mailgate dkim create --domain D [--selector S] [--algorithm rsa-sha256|ed25519-sha256]`,
 * `mailgate dkim list` (one JSON line per key, with its DNS record) and `mailgate dkim remove <domain> <selector>`.
 */
import { parseArgs, required, single, UsageError, unknownChoice } from './args.js';
import { cliOperator } from './policy.js';
import { printJson, printJsonLines, type CliContext } from './context.js';

export async function dkimCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === 'list') {
    parseArgs(rest, []);
    return printJsonLines(await ctx.identities.dkimKeys());
  }
  if (action === 'remove') {
    const args = parseArgs(rest, ['by']);
    const [domain, selector] = args.positional;
    if (!domain || !selector) throw new UsageError('dkim remove needs <domain> <selector>');
    await ctx.identities.removeDkimKey(domain, selector, cliOperator(single(args, 'by')));
    return printJson({ removed: `${selector}._domainkey.${domain.toLowerCase()}` });
  }
  if (action !== 'create') throw unknownChoice('dkim action', action, ['create', 'list', 'remove']);
  const args = parseArgs(rest, ['domain', 'selector', 'algorithm', 'by']);
  const selector = single(args, 'selector');
  const algorithm = single(args, 'algorithm');
  const key = await ctx.identities.createDkimKey(
    { domain: required(args, 'domain'), ...(selector ? { selector } : {}), ...(algorithm ? { algorithm } : {}) },
    cliOperator(single(args, 'by')),
  );
  printJson({ domain: key.domain, selector: key.selector, algorithm: key.algorithm, dnsName: key.dnsName, dnsValue: key.dnsValue });
}
