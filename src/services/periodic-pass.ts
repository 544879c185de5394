/** A pass that runs now and then every interval, never overlapping itself, stopped with the process. */
import type { Logger } from 'pino';

export interface PeriodicPass<T> {
  /** Runs a pass now, then every interval; a second start does nothing. */
  start(): void;
  /** One pass now; a pass already running is awaited instead of racing it. */
  runOnce(): Promise<T>;
  /** Stops the timer and waits for a pass in flight. */
  stop(): Promise<void>;
}

export function periodicPass<T>(pass: () => Promise<T>, options: { intervalMs: number; log: Logger; name: string }): PeriodicPass<T> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<T> | undefined;

  function runOnce(): Promise<T> {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  function tick(): void {
    runOnce().catch((err: unknown) => options.log.error({ err }, `${options.name}: pass failed`));
  }

  return {
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
