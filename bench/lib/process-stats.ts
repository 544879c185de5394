/**
 * CPU time and memory of a process and everything it forked, read from /proc, so a gateway's or a
 * Postfix instance's cost is its own and not the load generator's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Stat {
  ppid: number;
  /** utime + stime + cutime + cstime: the process plus the children it has reaped. */
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields after the last ')' do not.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i] ?? 0);
    return { ppid: num(1), ticks: num(11) + num(12) + num(13) + num(14) };
  } catch {
    return undefined;
  }
}

/** `root` and every live descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    tree.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * CPU seconds used so far by the tree. A child that exited was reaped by its parent and counts in
 * the parent's cutime/cstime, so differences between two readings stay right as workers come and go.
 */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / TICKS_PER_SECOND;
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Proportional set size: shared pages (libc, a daemon's binary) count once across the tree. */
function pssBytes(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return Number(match?.[1] ?? 0) * 1024;
  } catch {
    return statusField(pid, 'VmRSS');
  }
}

/** Resident memory now: RSS for a single process, the sum of PSS for a tree of several. */
export function treeMemoryBytes(root: number): number {
  const tree = processTree(root);
  if (tree.length === 1) return statusField(root, 'VmRSS');
  return tree.reduce((sum, pid) => sum + pssBytes(pid), 0);
}

export interface MemoryWatch {
  /** Stops sampling; the highest memory seen (and the kernel's own high-water mark for a lone process). */
  stop(): number;
}

/**
 * Samples the memory of the trees under `roots` (summed: several gateway processes count together)
 * every `everyMs`; the kernel's peak counter is reset first so it covers only this run.
 */
export function watchPeakMemory(roots: number | number[], everyMs = 50): MemoryWatch {
  const all = [roots].flat();
  for (const root of all) {
    try {
      // "5" resets VmHWM to the current RSS (proc(5), clear_refs).
      writeFileSync(`/proc/${root}/clear_refs`, '5');
    } catch {
      // Not permitted: the sampled peak still stands.
    }
  }
  const now = () => all.reduce((sum, root) => sum + treeMemoryBytes(root), 0);
  let peak = now();
  const timer = setInterval(() => {
    peak = Math.max(peak, now());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const lone = all.length === 1 && processTree(all[0] as number).length === 1;
      return Math.max(peak, now(), lone ? statusField(all[0] as number, 'VmHWM') : 0);
    },
  };
}
