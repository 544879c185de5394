/**
 * One chaos scenario: a faulty recording relay, gateways started by cluster.ts, load by unique id
 * through every way in, SIGKILLs (and PostgreSQL restarts) at random points, then a wait for the
 * queue to drain within a bound and the figures for the table.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { TLS } from '../helpers/smtp-peers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { seededRandom, type SinkFaults } from '../helpers/sink-faults.js';
import { waitFor } from '../helpers/wait-for.js';
import { DIALECTS, type Answer, type Dialect } from './clients.js';
import { startCluster, type ChaosCluster } from './cluster.js';
import { RECIPIENT_ROWS_SQL, tally, type Figures, type RecipientRow } from './report.js';

export interface Scenario {
  name: string;
  backend: 'sqlite' | 'postgres';
  processes: number;
  messages: number;
  /** SIGKILL + immediate restart of a random process, at random points of the load. */
  kills: number;
  /** Restarts of the PostgreSQL server itself, at random points (long version only). */
  databaseRestarts?: number;
  faults: Omit<SinkFaults, 'random'>;
  /** The queue must be empty this long after the load ends. */
  drainBoundMs: number;
  seed: number;
}

/** Requests in flight at once, over all processes. */
const CONCURRENCY = 16;
/** Attempts per id before the load gives up on it (never answered 2xx: not counted as accepted). */
const MAX_ATTEMPTS = 200;
const WORKER_CONCURRENCY = 8;

const run = promisify(execFile);

async function restartPostgres(): Promise<void> {
  const version = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b)).pop();
  if (!version) throw new Error('no PostgreSQL cluster in /etc/postgresql');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']);
}

/** Whether a refusal means "try again": SMTP 4xx, HTTP 429 and 5xx; anything else is final. */
function temporary(dialect: Dialect, answer: Answer): boolean {
  return dialect === 'smtp' ? answer.status >= 400 && answer.status < 500 : answer.status === 429 || answer.status >= 500;
}

/** The figures, the most duplicates the run's faults can explain, and any final refusals. */
export type Outcome = Figures & { duplicateBound: number; refused: string[] };

export async function runScenario(scenario: Scenario): Promise<Outcome> {
  const random = seededRandom(scenario.seed);
  const tls = (scenario.faults.tlsFail ?? 0) > 0;
  const sink = await startSmtpSink({ faults: { ...scenario.faults, random }, ...(tls ? { tls: { key: TLS.key, cert: TLS.cert } } : {}) });
  const cluster: ChaosCluster = await startCluster({
    backend: scenario.backend,
    processes: scenario.processes,
    env: {
      MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}${tls ? '?tls=insecure' : ''}`,
      MAILGATE_RETRY_SCHEDULE: '1,1,2',
      MAILGATE_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      // A dead process's leases are free after this; longer than the sink's stalls, so a live one keeps its own.
      MAILGATE_LEASE_SECONDS: '5',
      MAILGATE_RATE_LIMIT_PER_MINUTE: '10000000',
      MAILGATE_WORKS_RATE_LIMIT_PER_MINUTE: '10000000',
      MAILGATE_GRAPH_REQUEST_LIMIT: '10000000',
      MAILGATE_GRAPH_CONCURRENT_REQUESTS: '64',
      MAILGATE_DATABASE_RETRY_SECONDS: '20',
    },
  });
  try {
    const rss = { before: cluster.rssMb(), peak: 0, after: 0 };
    const sampler = setInterval(() => (rss.peak = Math.max(rss.peak, cluster.rssMb())), 250);
    const accepted = new Set<string>();
    const refused: string[] = [];
    let unanswered = 0;
    let next = 0;
    // Random points of the load (by accepted count) for the kills and database restarts.
    const points = (count: number) => Array.from({ length: count }, () => Math.floor((0.1 + 0.8 * random()) * scenario.messages)).sort((a, b) => a - b);
    const killAt = points(scenario.kills);
    const restartAt = points(scenario.databaseRestarts ?? 0);
    const restarts: Array<Promise<unknown>> = [];
    const restartToDeliveryMs: number[] = [];

    const disrupt = () => {
      if (killAt.length > 0 && accepted.size >= killAt[0]!) {
        killAt.shift();
        const index = Math.floor(random() * scenario.processes);
        restarts.push(
          cluster.killAndRestart(index).then(() => {
            const at = Date.now();
            const seen = sink.messages.length;
            // A figure, not a check: the drain bound below is what must hold.
            return waitFor(() => sink.messages.length > seen, 'a delivery after the restart', scenario.drainBoundMs).then(
              () => restartToDeliveryMs.push(Date.now() - at),
              () => undefined,
            );
          }),
        );
      }
      if (restartAt.length > 0 && accepted.size >= restartAt[0]!) {
        restartAt.shift();
        restarts.push(restartPostgres());
      }
    };

    async function sendOne(seq: number): Promise<void> {
      const id = `chaos-${scenario.name}-${seq}`;
      const dialect = DIALECTS[seq % DIALECTS.length]!;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const slot = cluster.slots[(seq + attempt) % cluster.slots.length]!;
        const live = slot.current ?? (await slot.up);
        try {
          const answer = await live.client.send(dialect, id);
          if (answer.accepted) {
            accepted.add(id);
            return;
          }
          if (!temporary(dialect, answer)) {
            refused.push(`${id} ${dialect} ${answer.status} ${answer.body.slice(0, 200)}`);
            return;
          }
        } catch {
          // Connection refused or cut: the process died under us (or is restarting).
        }
        unanswered += 1;
        await slot.up;
      }
    }

    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < scenario.messages) {
          await sendOne(next++);
          disrupt();
        }
      }),
    );
    await Promise.all(restarts);
    const loadEnded = Date.now();
    const pending = async () =>
      Number((await cluster.query<{ n: number | string }>("SELECT count(*) AS n FROM recipients WHERE status IN ('queued', 'deferred')"))[0]?.n);
    let drained = true;
    await waitFor(async () => (await pending()) === 0, 'the queue to drain', scenario.drainBoundMs).catch(() => (drained = false));
    const drainMs = Date.now() - loadEnded;
    clearInterval(sampler);
    rss.after = cluster.rssMb();
    const rows = await cluster.query<RecipientRow>(RECIPIENT_ROWS_SQL);
    const counts = tally(accepted, sink.messages, rows);
    const kills = scenario.kills + (scenario.databaseRestarts ?? 0);
    return {
      scenario: scenario.name,
      sent: scenario.messages,
      accepted: accepted.size,
      delivered: counts.delivered,
      bounced: counts.bounced,
      lost: counts.lost,
      duplicates: counts.duplicates,
      unacknowledged: counts.unacknowledged,
      drainMs: drained ? drainMs : Number.POSITIVE_INFINITY,
      rssMb: rss,
      kills: scenario.kills,
      databaseRestarts: scenario.databaseRestarts ?? 0,
      restartToDeliveryMs,
      refused,
      // Every duplicate has a cause: a reply lost after the final dot, a request retried after its
      // commit, or work in flight at a kill or database restart.
      duplicateBound: sink.injected.dropAfterDot + unanswered + kills * WORKER_CONCURRENCY * scenario.processes,
    };
  } finally {
    await cluster.dispose();
    await sink.close();
  }
}
