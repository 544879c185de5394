import { describe, expect, it } from 'vitest';
import { parseArgs, required, single, UsageError } from './args.js';

describe('CLI options', () => {
  it('collects repeated options, reads --name=value and switches, and keeps positionals', () => {
    const args = parseArgs(['list', '--role', 'user', '--role=admin', '--all', '--name', 'Ann'], ['role', 'name'], ['all']);
    expect(args.positional).toEqual(['list']);
    expect(args.options.get('role')).toEqual(['user', 'admin']);
    expect(single(args, 'name')).toBe('Ann');
    expect(args.flags.has('all')).toBe(true);
    expect(parseArgs(['--weight=-1'], ['weight']).options.get('weight')).toEqual(['-1']);
  });

  it.each([
    [['--bogus', 'x'], 'unknown option --bogus'],
    [['--name'], '--name needs a value (write --name=VALUE for a value that starts with -)'],
    [['--all=yes'], /--all/],
  ])('refuses %j with a usage error', (argv, message) => {
    const attempt = () => parseArgs(argv, ['name'], ['all']);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('names a missing required option', () => {
    expect(() => required(parseArgs([], ['user']), 'user')).toThrow('--user is required');
  });
});
