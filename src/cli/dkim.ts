/** `mailgate dkim create --domain D [--selector S] [--algorithm rsa-sha256|ed25519-sha256]`. */
import { assertAddress } from '../core/validate.js';
import { dkimDnsRecord, generateDkimKey } from '../mime/dkim-keys.js';
import { parseArgs, required, single, UsageError } from './args.js';
import { printJson, type CliContext } from './context.js';

const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*$/i;

export async function dkimCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'create') throw new UsageError(`unknown dkim action "${action ?? ''}" (create)`);
  const args = parseArgs(rest, ['domain', 'selector', 'algorithm']);
  // Validating a probe address reuses the one domain syntax check.
  const domain = assertAddress(`postmaster@${required(args, 'domain')}`, 'domain').split('@')[1] as string;
  const selector = single(args, 'selector') ?? `mailgate${new Date().toISOString().slice(0, 7).replace('-', '')}`;
  if (!SELECTOR.test(selector)) throw new UsageError(`not a DKIM selector: "${selector}"`);
  const algorithm = single(args, 'algorithm') ?? 'rsa-sha256';
  if (algorithm !== 'rsa-sha256' && algorithm !== 'ed25519-sha256') {
    throw new UsageError('--algorithm must be rsa-sha256 or ed25519-sha256');
  }
  const key = generateDkimKey(algorithm);
  await ctx.store.putDkimKey({
    domain,
    selector,
    algorithm,
    privateKeyEnc: ctx.secrets.seal(key.privateKeyPem),
    publicKey: key.publicKey,
    createdAt: Date.now(),
  });
  printJson({
    domain,
    selector,
    algorithm,
    dnsName: `${selector}._domainkey.${domain}`,
    dnsValue: dkimDnsRecord(algorithm, key.publicKey),
  });
}
