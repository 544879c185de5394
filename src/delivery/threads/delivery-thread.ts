/**
 * A delivery thread: its own store connection and transports, the same lease → send → settle loop
 * as a single-threaded gateway, with the worker's hooks posted to the serving thread.
 */
import { setPriority } from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { systemClock } from '../../core/ports.js';
import { openStore } from '../../store/open-store.js';
import { buildTransports } from '../transports.js';
import { createDeliveryWorker } from '../worker.js';
import type { FromThread, Hook, ThreadData, ToThread } from './protocol.js';
import { listenForWakes } from './wake-signal.js';

const port = parentPort;
if (!port) throw new Error('delivery-thread.ts runs as a worker thread of `mailgate serve`');

/**
 * Delivery yields the CPU to the serving thread when both want it (docs/delivery-threads.md): it
 * keeps up by taking larger batches, while requests wait less. On Linux a thread is its own
 * scheduling entity, so this nice value is the thread's alone; elsewhere it would be the process's.
 */
const DELIVERY_THREAD_NICE = 5;
if (process.platform === 'linux') setPriority(0, DELIVERY_THREAD_NICE);
const { config, owner, slots, wakes } = workerData as ThreadData;
const log = pino({ level: config.logLevel }).child({ deliveryThread: threadId });
const post = (message: FromThread) => port.postMessage(message);

// Hooks wait for the end of the turn and go as one message: a settle batch makes dozens at once.
// A final failure goes at once (with what waits before it): the sender's notice hangs on it.
let hooks: Hook[] = [];
function sendHooks(): void {
  if (hooks.length > 0) post({ type: 'hooks', hooks });
  hooks = [];
}
function hook(call: Hook): void {
  if (hooks.length === 0) setImmediate(sendHooks);
  hooks.push(call);
  if (call.type === 'final-failure') sendHooks();
}

const store = await openStore(config, log);
const transports = buildTransports(config, store, systemClock, slots);
const worker = createDeliveryWorker({
  store,
  transports,
  clock: systemClock,
  config: { ...config, workerConcurrency: slots },
  owner,
  log,
  onFinalFailure: async (job, reply) => hook({ type: 'final-failure', job, reply }),
  onSettled: (settlement, job) => hook({ type: 'settled', settlement, job }),
  onAttempt: (record) => hook({ type: 'attempt', record }),
});
const stopListening = listenForWakes(wakes, () => worker.wake());
// Commits by other processes on a shared database wake it too.
const stopWaking = store.onWake(() => worker.wake());

port.on('message', (message: ToThread) => {
  if (message.type === 'stop') void stop();
});

async function stop(): Promise<void> {
  stopListening();
  stopWaking();
  await worker.stop();
  sendHooks();
  await Promise.all(Object.values(transports).map((t) => t.close()));
  await store.close();
  port?.close();
}

worker.start();
post({ type: 'ready' });
