/**
 * Delivery on worker threads, seen from the serving thread as one DeliveryWorker: it starts
 * MAILGATE_DELIVERY_THREADS threads, shares the worker concurrency among them, wakes them after
 * commits and runs the hooks they report (metrics, events, failure notices) here, where those live.
 */
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { DeliveryWorker, DeliveryWorkerDeps } from '../worker.js';
import type { FromThread, Hook, ThreadData, ToThread } from './protocol.js';
import { createWakeSignal } from './wake-signal.js';

export interface DeliveryThreadsDeps extends Pick<DeliveryWorkerDeps, 'onFinalFailure' | 'onSettled' | 'onAttempt'> {
  config: Config;
  owner: string;
  log: Logger;
  threads: number;
}

/** A thread that died is started again after this pause; its leases run out and are taken again. */
const RESTART_PAUSE_MS = 1_000;

const here = fileURLToPath(import.meta.url);
const fromSources = here.endsWith('.ts');
const entry = path.join(path.dirname(here), fromSources ? 'delivery-thread.ts' : 'delivery-thread.js');

/** `total` slots shared as evenly as possible among `threads` (every thread gets at least one). */
export function slotsOf(total: number, threads: number, index: number): number {
  return Math.max(1, Math.floor(total / threads) + (index < total % threads ? 1 : 0));
}

export interface DeliveryThreads extends DeliveryWorker {
  /** Resolves once every thread started has its store open and its loop running; rejects if one failed first. */
  ready(): Promise<void>;
}

export function createDeliveryThreads(deps: DeliveryThreadsDeps): DeliveryThreads {
  const { config, owner, log } = deps;
  const threads = new Map<number, Worker>();
  const signal = createWakeSignal();
  let running = false;
  /** The first start of each thread, for ready(); restarts are only logged. */
  const starting: Array<Promise<void>> = [];

  function run(hook: Hook): void {
    if (hook.type === 'attempt') deps.onAttempt?.(hook.record);
    else if (hook.type === 'settled') deps.onSettled?.(hook.settlement, hook.job);
    else {
      deps.onFinalFailure(hook.job, hook.reply).catch((err: unknown) => {
        log.error({ err, messageId: hook.job.messageId }, 'delivery: failure notice could not be sent');
      });
    }
  }

  function handle(message: FromThread): void {
    if (message.type === 'hooks') message.hooks.forEach(run);
  }

  function spawn(index: number, first: boolean): void {
    const workerData: ThreadData = { config, owner, slots: slotsOf(config.workerConcurrency, deps.threads, index), wakes: signal.buffer };
    const thread = fromSources
      ? new Worker(path.join(path.dirname(here), 'source-loader.mjs'), { workerData: { ...workerData, entry } })
      : new Worker(entry, { workerData });
    threads.set(index, thread);
    if (first) {
      starting.push(
        new Promise<void>((resolve, reject) => {
          thread.on('message', (message: FromThread) => message.type === 'ready' && resolve());
          thread.once('error', reject);
          thread.once('exit', (code) => reject(new Error(`a delivery thread exited with ${code} before it was ready`)));
        }),
      );
    }
    thread.on('message', handle);
    thread.on('error', (err) => log.error({ err }, 'delivery: a delivery thread failed'));
    thread.on('exit', (code) => {
      threads.delete(index);
      if (!running) return;
      log.error({ code }, 'delivery: a delivery thread exited; starting it again');
      setTimeout(() => {
        if (running && !threads.has(index)) spawn(index, false);
      }, RESTART_PAUSE_MS).unref();
    });
  }

  function post(message: ToThread): void {
    for (const thread of threads.values()) thread.postMessage(message);
  }

  return {
    start() {
      if (running) return;
      running = true;
      for (let i = 0; i < deps.threads; i++) spawn(i, true);
      log.info({ threads: deps.threads, slots: config.workerConcurrency }, 'delivery: started delivery threads');
    },
    async ready() {
      await Promise.all(starting);
    },
    wake: () => signal.wake(),
    async stop() {
      running = false;
      const exits = [...threads.values()].map((thread) => once(thread, 'exit'));
      post({ type: 'stop' });
      await Promise.all(exits);
    },
  };
}
