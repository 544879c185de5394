/**
 * The chaos scenarios. The short version (default) runs inside `npm test` with small counts; the
 * long one (`npm run test:chaos`, MAILGATE_CHAOS=long) measures with hundreds to a thousand messages
 * per scenario (about ten minutes in all on two busy cores), and alone restarts the PostgreSQL
 * server, which would cut every other test's connections.
 */
import type { Scenario } from './run-scenario.js';

export const LONG = process.env.MAILGATE_CHAOS === 'long';

/** A fixed seed per run unless MAILGATE_CHAOS_SEED replays a given one. */
const seed = Number(process.env.MAILGATE_CHAOS_SEED ?? 17);

const MIXED = { tempFail: 0.1, permFail: 0.02, dropBeforeDot: 0.03, dropAfterDot: 0.03, stall: 0.03, stallMs: 1_000, tlsFail: 0.05 };

const SHORT: Scenario[] = [
  { name: 'sqlite-mixed-faults-1-kill', backend: 'sqlite', processes: 1, messages: 60, kills: 1, faults: MIXED, drainBoundMs: 60_000, seed },
  { name: 'postgres-2-processes-1-kill', backend: 'postgres', processes: 2, messages: 60, kills: 1, faults: { tempFail: 0.1, dropAfterDot: 0.03 }, drainBoundMs: 60_000, seed },
];

const LONG_SCENARIOS: Scenario[] = [
  { name: 'sqlite-3-kills', backend: 'sqlite', processes: 1, messages: 1_000, kills: 3, faults: {}, drainBoundMs: 120_000, seed },
  { name: 'sqlite-451-30pct', backend: 'sqlite', processes: 1, messages: 1_000, kills: 0, faults: { tempFail: 0.3 }, drainBoundMs: 120_000, seed },
  { name: 'sqlite-550-5pct', backend: 'sqlite', processes: 1, messages: 600, kills: 0, faults: { permFail: 0.05 }, drainBoundMs: 120_000, seed },
  {
    name: 'sqlite-drops-5pct',
    backend: 'sqlite',
    processes: 1,
    messages: 1_000,
    kills: 0,
    faults: { dropBeforeDot: 0.05, dropAfterDot: 0.05 },
    drainBoundMs: 120_000,
    seed,
  },
  { name: 'sqlite-stall-tls', backend: 'sqlite', processes: 1, messages: 600, kills: 0, faults: { stall: 0.05, stallMs: 2_000, tlsFail: 0.05 }, drainBoundMs: 120_000, seed },
  { name: 'sqlite-mixed-2-kills', backend: 'sqlite', processes: 1, messages: 800, kills: 2, faults: MIXED, drainBoundMs: 120_000, seed },
  { name: 'postgres-3-processes-2-kills', backend: 'postgres', processes: 3, messages: 1_000, kills: 2, faults: { tempFail: 0.1 }, drainBoundMs: 120_000, seed },
  {
    name: 'postgres-2-processes-db-restart',
    backend: 'postgres',
    processes: 2,
    messages: 800,
    kills: 0,
    databaseRestarts: 1,
    faults: {},
    drainBoundMs: 120_000,
    seed,
  },
];

export const SCENARIOS: Scenario[] = LONG ? LONG_SCENARIOS : SHORT;
