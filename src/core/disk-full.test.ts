import { describe, expect, it } from 'vitest';
import { createDiskSpaceGuard, isDiskFull } from './disk-full.js';
import { isMailgateError } from './errors.js';

const coded = (code: string, cause?: unknown) => Object.assign(new Error(code), { code }, cause === undefined ? {} : { cause });

describe('isDiskFull', () => {
  it.each([
    ['ENOSPC', coded('ENOSPC'), true],
    ['EDQUOT', coded('EDQUOT'), true],
    ['SQLITE_FULL', coded('SQLITE_FULL'), true],
    ['an extended SQLITE_FULL code', coded('SQLITE_FULL_EXTRA'), true],
    ['PostgreSQL disk_full', coded('53100'), true],
    ['ENOSPC as the cause of a wrapper', new Error('write failed', { cause: coded('ENOSPC') }), true],
    ['EACCES', coded('EACCES'), false],
    ['SQLITE_BUSY', coded('SQLITE_BUSY'), false],
    ['a plain error', new Error('boom'), false],
    ['a string', 'ENOSPC', false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isDiskFull(error)).toBe(expected);
  });
});

describe('createDiskSpaceGuard', () => {
  it('turns disk-full failures into insufficient_storage, warns once per episode, and reports the recovery once', async () => {
    const lines: string[] = [];
    const guard = createDiskSpaceGuard({ warn: (_d, m) => lines.push(`warn ${m}`), info: (_d, m) => lines.push(`info ${m}`) });
    for (let i = 0; i < 3; i++) {
      const failure = await guard.run(() => Promise.reject(coded('ENOSPC'))).catch((e: unknown) => e);
      expect(isMailgateError(failure) && failure.code).toBe('insufficient_storage');
    }
    expect(guard.short).toBe(true);
    await expect(guard.run(() => Promise.reject(coded('EACCES')))).rejects.toMatchObject({ code: 'EACCES' });
    expect(await guard.run(() => Promise.resolve('ok'))).toBe('ok');
    expect(await guard.run(() => Promise.resolve('ok'))).toBe('ok');
    expect(guard.short).toBe(false);
    expect(lines.map((l) => l.split(':')[0])).toEqual(['warn disk full', 'info disk space is back']);
  });
});
