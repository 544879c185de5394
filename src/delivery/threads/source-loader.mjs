// Runs a delivery thread from TypeScript sources (tests, `node --import tsx src/cli/main.ts`):
// Node 20 does not hand the parent's --import loaders to worker threads, so tsx is registered here.
// The built gateway (dist/) starts delivery-thread.js directly and never loads this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
