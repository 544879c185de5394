/** A closed-loop load: `concurrency` callers each send the next request as soon as the last returns. */
import { performance } from 'node:perf_hooks';

export interface ClosedLoopResult {
  /** Milliseconds per call, in completion order. */
  latencies: number[];
  failures: number;
  startedAt: number;
  finishedAt: number;
}

/** Calls `send(seq)` for seq 0..count-1; `send` resolves whether the call succeeded. */
export async function runClosedLoop(count: number, concurrency: number, send: (seq: number) => Promise<boolean>): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const seq = next++;
        const t0 = performance.now();
        const ok = await send(seq);
        latencies.push(performance.now() - t0);
        if (!ok) failures += 1;
      }
    }),
  );
  return { latencies, failures, startedAt, finishedAt: performance.now() };
}
