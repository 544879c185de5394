#!/usr/bin/env node
/** `mailgate <command>`: config flags (`--data-dir` …) may stand anywhere; see README. */
import { ConfigError, loadConfig, splitConfigFlags } from '../config/config.js';
import { isMailgateError } from '../core/errors.js';
import { closeOnSignals, startServer } from '../main.js';
import { UsageError } from './args.js';
import { withContext } from './context.js';
import { dkimCommand } from './dkim.js';
import { keysCommand } from './keys.js';
import { userCommand } from './user.js';

const USAGE = `usage: mailgate <command>
  serve                                       start the gateway (HTTP API + delivery)
  user add <email> [--name N] [--role R]...   roles: user, tracking, held-reviewer, admin
  user delegate <email> --address A           let <email> send as A
  keys create --user <email> [--expires ISO]  Mimecast app id/key + access/secret key
  dkim create --domain D [--selector S] [--algorithm rsa-sha256|ed25519-sha256]
Every MAILGATE_* variable has a matching flag, e.g. --data-dir ./data, --http-port 8025.`;

async function run(argv: string[]): Promise<void> {
  const { flags, rest } = splitConfigFlags(argv);
  const config = loadConfig(process.env, flags);
  const [command, ...args] = rest;
  switch (command) {
    case 'serve':
      closeOnSignals(await startServer(config));
      return;
    case 'user':
      return withContext(config, (ctx) => userCommand(ctx, args));
    case 'keys':
      return withContext(config, (ctx) => keysCommand(ctx, args));
    case 'dkim':
      return withContext(config, (ctx) => dkimCommand(ctx, args));
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE + '\n');
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`mailgate: ${error.message}\n${USAGE}\n`);
  else if (error instanceof ConfigError) process.stderr.write(`mailgate: configuration error: ${error.message}\n`);
  else if (isMailgateError(error)) process.stderr.write(`mailgate: ${error.message}\n`);
  else process.stderr.write(`mailgate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(error instanceof UsageError ? 64 : 1);
});
