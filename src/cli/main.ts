#!/usr/bin/env node
/** `mailgate <command>`: config flags (`--data-dir` …) may stand anywhere; see README. */
import { CONFIG_VARIABLES, ConfigError, loadConfig, splitConfigFlags, type Config } from '../config/config.js';
import { isMailgateError } from '../core/errors.js';
import { closeOnSignals, startServer } from '../main.js';
import { appCommand } from './app.js';
import { parseArgs, unknownChoice, UsageError } from './args.js';
import { withContext, withGateway, type CliContext } from './context.js';
import { operatorFailure } from './failures.js';
import { digestCommand } from './digest.js';
import { dkimCommand } from './dkim.js';
import { holdCommand } from './hold.js';
import { keysCommand } from './keys.js';
import { masterKeyCommand } from './master-key.js';
import { dnsblCommand } from './dnsbl.js';
import { migrateCommand } from './migrate.js';
import { policyCommand } from './policy.js';
import { queueCommand } from './queue.js';
import { senderCommand } from './sender.js';
import { suppressionCommand } from './suppression.js';
import { tokenCommand } from './token.js';
import { mailgateVersion } from '../version.js';
import { userCommand } from './user.js';
import { webhookCommand } from './webhook.js';

const USAGE = `usage: mailgate <command>
  serve                                       start the gateway (HTTP APIs, SMTP listener, delivery)
  migrate                                     apply pending database migrations and exit
  user add <email> [--name N] [--role R]... [--password P|-]   roles: user, tracking, held-reviewer, admin
  user delegate <email> --address A           let <email> send as A
  user list | user remove <email>             JSON lines; removing withdraws every credential of the user
  keys create --user <email> [--expires ISO]  Mimecast API 1.0 app id/key + access/secret key
  keys create --user <email> --oauth          Mimecast API 2.0 application: client id + secret (JSON)
  keys list | keys revoke <accessKey>         Mimecast API 1.0 keys (no secrets); a revoked key is refused
  app create --name N [--permission P]... [--redirect-uri U]...   | app service-account --client ID
                                              OAuth client app (Graph permissions, LINE WORKS redirect URIs; JWT-bearer service account)
  app list | app revoke <clientId>            OAuth apps incl. Mimecast 2.0 applications; revoking refuses their tokens
  token create --user <email> [--scope mail|mail.read]   LINE WORKS access + refresh token (JSON)
  dkim create --domain D [--selector S] [--algorithm rsa-sha256|ed25519-sha256]
  dkim list | dkim remove <domain> <selector> DKIM keys with the DNS record to publish
  hold add (--message ID | --address A) --description D [--expires ISO] [--by NAME]
  hold list [--all] | hold release <holdId>   litigation holds: suspend retention purging
  policy list | policy add --name N --kind K [--route R]... [params] | policy remove <id>
                                              hold policies: spam, dmarc, dnsbl, attachment, content, sender, recipient
  sender list [permitted|blocked] | sender add|remove <permitted|blocked> <pattern>
  dnsbl list | dnsbl add <zone> [--kind ip|domain] [--weight N] | dnsbl remove <zone>
  queue list [--state queued|deferred|in-flight] [--domain D] [--sender A] [--older-than 2h] [--limit N] [--json]
  queue show|retry|bounce|delete <messageId> [--by NAME] | queue flush <domain> [--by NAME]
                                              queue control: --json prints one delivery per line; bounce notifies the sender
  digest send [--recipient A]                 queue quarantine digests now (MAILGATE_DIGEST_DOMAINS), whatever the schedule
  suppression list | suppression add <address> [--reason R] [--expires ISO] | suppression remove <address>
                                              addresses client mail is refused for (hard bounces add them)
  webhook add --url U [--event E]...          subscribe to message.accepted|delivered|deferred|bounced|held|released|rejected
                                              (none = all); prints {"id","secret"} once
  webhook list | webhook log <id> [--limit N] endpoints / an endpoint's delivery log, as JSON lines (no secrets)
  webhook remove <id> | webhook enable <id>   remove an endpoint, or resume a disabled one
  master-key rotate [--new-key-file F]        re-seal every stored secret with a new master key (stop all gateways first)
Every MAILGATE_* variable has a matching flag, e.g. --data-dir ./data, --http-port 8025.`;

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

/** The whole usage, or only the lines of one command when it is a known one. */
function usageOf(command: string | undefined): string {
  const lines = USAGE.split('\n');
  const own = command === undefined ? [] : lines.filter((line) => line.startsWith(`  ${command} `) || line === `  ${command}`);
  return own.length > 0 ? ['usage: mailgate', ...own].join('\n') : USAGE;
}

/** MAILGATE_* variables that are not settings (a misspelling is otherwise silently ignored). */
function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  const known = new Set([...CONFIG_VARIABLES, 'MAILGATE_MASTER_KEY']);
  return Object.keys(env).filter((name) => name.startsWith('MAILGATE_') && !name.startsWith('MAILGATE_TEST_') && !known.has(name));
}

type Command = (config: Config, args: string[]) => Promise<void>;

const withStore =
  (command: (ctx: CliContext, args: string[]) => Promise<void>): Command =>
  (config, args) =>
    withContext(config, (ctx) => command(ctx, args));

const COMMANDS: Record<string, Command> = {
  serve: async (config, args) => {
    parseArgs(args, []);
    closeOnSignals(await startServer(config));
  },
  migrate: migrateCommand,
  user: withStore(userCommand),
  app: withStore(appCommand),
  keys: withStore(keysCommand),
  dkim: withStore(dkimCommand),
  hold: withStore(holdCommand),
  policy: withStore(policyCommand),
  sender: withStore(senderCommand),
  dnsbl: withStore(dnsblCommand),
  token: withStore(tokenCommand),
  suppression: withStore(suppressionCommand),
  webhook: withStore(webhookCommand),
  queue: (config, args) => withGateway(config, (gateway) => queueCommand(gateway, args)),
  digest: (config, args) => withGateway(config, (gateway) => digestCommand(gateway, args)),
  'master-key': withStore(masterKeyCommand),
};

/** What the failure handler needs to word its line: the command and the settings, once known. */
const running: { command?: string; config?: Config } = {};

async function run(argv: string[]): Promise<void> {
  // Everything the gateway writes (database, blobs, captured mail, keys) is its own (docs/files-at-rest.md).
  process.umask(0o077);
  const { flags, rest } = splitConfigFlags(argv);
  const [command, ...args] = rest;
  if (command === '--version' || command === '-v') return void process.stdout.write(`${mailgateVersion()}\n`);
  // Help never runs the command: `mailgate serve --help` must not start a server.
  if (command === undefined || command === 'help' || isHelp(command) || args.some(isHelp)) {
    return void process.stdout.write(usageOf(isHelp(command ?? '') || command === 'help' ? args[0] : command) + '\n');
  }
  const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) throw unknownChoice('command', command, Object.keys(COMMANDS));
  running.command = command;
  for (const name of unknownVariables(process.env)) process.stderr.write(`mailgate: warning: ${name} is not a mailgate setting and is ignored\n`);
  running.config = loadConfig(process.env, flags);
  await handler(running.config, args);
}

/** One line on stderr for every failure an operator can act on; a stack only for the unexpected. */
function failureLine(error: unknown): string {
  if (error instanceof UsageError) {
    const help = running.command ? `"mailgate ${running.command} --help"` : '"mailgate --help"';
    return `${error.message}\n(${help} shows the usage)`;
  }
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (isMailgateError(error)) return error.message;
  return operatorFailure(error, running.config) ?? (error instanceof Error ? (error.stack ?? error.message) : String(error));
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`mailgate: ${failureLine(error)}\n`);
  // 2 for a command line that cannot be run as written (as getopt-style tools answer), 1 for anything else.
  process.exit(error instanceof UsageError ? 2 : 1);
});
