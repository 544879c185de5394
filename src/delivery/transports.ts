/** The delivery transports a process (or delivery thread) sends with, built from config. */
import path from 'node:path';
import type { Config } from '../config/config.js';
import { newId } from '../core/ids.js';
import type { Clock, Transport } from '../core/ports.js';
import type { Store } from '../core/storage/store.js';
import type { TransportName } from '../core/tracking.js';
import { createCaptureTransport } from './capture-transport.js';
import { createLocalTransport } from './local-transport.js';
import { createMxTransport } from './mx-transport.js';
import { createRelayTransport } from './relay-transport.js';

/** `slots`: SMTP transactions this process or thread runs at once (its share of the worker concurrency). */
export function buildTransports(config: Config, store: Store, clock: Clock, slots = config.workerConcurrency): Partial<Record<TransportName, Transport>> {
  const transports: Partial<Record<TransportName, Transport>> = {
    local: createLocalTransport(store, { newId: () => newId(), clock }),
    capture: createCaptureTransport(path.join(config.dataDir, 'capture')),
    mx: createMxTransport({ hostname: config.hostname, port: config.mxPort, maxIdlePerTarget: slots }),
  };
  // Every worker slot may be sending to the relay at once; a smaller idle pool would close and
  // reopen connections (TCP + greeting + EHLO) between messages under load.
  if (config.relay) transports.relay = createRelayTransport(config.relay, { hostname: config.hostname, maxIdlePerTarget: slots });
  return transports;
}
