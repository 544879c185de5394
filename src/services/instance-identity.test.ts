import { describe, expect, it } from 'vitest';
import type { InstanceState } from '../core/storage/instance-store.js';
import { heldByAnother } from './instance-identity.js';

const me = { host: 'mail-1', pid: 4242, processStartedAt: 1_000_000 };
const SILENT_MS = 6_000;
const row = (over: Partial<InstanceState>): InstanceState => ({ id: 'i', host: 'mail-1', pid: 77, startedAt: 900_000, silentMs: 500, ...over });
const running = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('whose is the data dir\'s instance id at start', () => {
  it.each([
    ['no row: ours', undefined, [], false],
    ['silent past the takeover window: ours', row({ silentMs: 7_000 }), [77], false],
    ['beating on another host: theirs', row({ host: 'mail-2' }), [], true],
    ['beating, same host, its pid gone (we were SIGKILLed and restarted): ours', row({}), [], false],
    ['beating, same host, its pid running: theirs', row({}), [77], true],
    ['our pid, written before this process started (a container restart, pid 1 again): ours', row({ pid: 4242, startedAt: 999_000 }), [4242], false],
    ['our pid, written since this process started (another gateway in this process): theirs', row({ pid: 4242, startedAt: 1_000_500 }), [4242], true],
  ] as const)('%s', (_what, stored, pids, expected) => {
    expect(heldByAnother(stored, me, SILENT_MS, running([...pids]))).toBe(expected);
  });
});
