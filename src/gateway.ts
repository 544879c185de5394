/** Composition of the gateway's parts from config; listeners are attached by main.ts. */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { Config } from './config/config.js';
import { createDiskSpaceGuard, type DiskSpaceGuard } from './core/disk-full.js';
import type { AcceptedMessage, Principal, Submission } from './core/message.js';
import { assertMaySendAs, type ClaimedSender, type SenderDirectory } from './core/send-as.js';
import { systemClock, type Clock } from './core/ports.js';
import { createSecretBox, loadMasterKey, type SecretBox } from './auth/secret-box.js';
import { assertMasterKey } from './auth/master-key-check.js';
import { createTokenService, type TokenService } from './auth/tokens.js';
import { createGuessGuard, type GuessGuard } from './auth/guess-guard.js';
import { createHeldReview, type HeldReview } from './core/held-review.js';
import { cachedDnsResolver } from './scan/dns-cache.js';
import { createDnsResolver } from './scan/dns-resolver.js';
import { createScanner } from './scan/scanner.js';
import { createComposer } from './mime/compose.js';
import { createDkimSigner } from './mime/dkim-domain-signer.js';
import { createAcceptance } from './acceptance.js';
import { buildTransports } from './delivery/transports.js';
import { createDeliveryWorker, type DeliveryWorkerDeps } from './delivery/worker.js';
import { createDeliveryThreads } from './delivery/threads/delivery-threads.js';
import { prepareDataDir, tightenDataFiles } from './store/data-dir-modes.js';
import { openStore } from './store/open-store.js';
import { withLookupCache } from './store/lookup-cache.js';
import type { Settlement, Store } from './core/storage/store.js';
import { createUploadSweep, type UploadSweep } from './services/upload-sweep.js';
import { createPurgeJob, type PurgeJob } from './tracking/purge-job.js';
import { DAY_MS } from './tracking/retention.js';
import { createTrackingService, type TrackingService } from './tracking/tracking-service.js';
import { createMailboxService, type MailboxService } from './services/mailboxes.js';
import { createInboundSettings, type InboundSettings } from './services/inbound-settings.js';
import { createLitigationHolds, type LitigationHolds } from './tracking/litigation-holds.js';
import { createFileService, type FileService } from './services/files.js';
import { createHeldQueue, type HeldQueue } from './services/held-queue.js';
import { createDraftService, type DraftService } from './services/drafts.js';
import { createFailureNotifier } from './services/failure-notices.js';
import { createQueueControl, type QueueControl } from './services/queue-control.js';
import { createIdentityService, type IdentityService } from './services/identities.js';
import { createMetrics, type GatewayMetrics } from './metrics/registry.js';
import { timedStore } from './metrics/timed-store.js';
import { collectQueue, observeAttempt, observedIngest, observeHeldActions, observeSettlement } from './metrics/gateway-observers.js';
import { createReadiness, type Readiness } from './health/readiness.js';
import { createDigestLinks } from './auth/digest-links.js';
import { createQuarantineDigest, type QuarantineDigest } from './services/quarantine-digest.js';
import { createDigestActions, type DigestActions } from './services/digest-actions.js';
import { claimInstance } from './services/instance-heartbeat.js';
import { createSuppressions, type Suppressions } from './services/suppressions.js';
import { assertNotSuppressed } from './core/suppression.js';
import { createConsoleSessions, type ConsoleSessions } from './services/console-sessions.js';
import { createWebhookService, type WebhookService } from './services/webhooks/webhook-service.js';

export interface Gateway {
  config: Config;
  store: Store;
  secrets: SecretBox;
  /** Signs and verifies the OAuth dialects' access tokens (one key set per database). */
  tokens: TokenService;
  /** Throttles and locks out password and client-secret guessing, for every way in. */
  guesses: GuessGuard;
  clock: Clock;
  log: Logger;
  /** Settlements as they happen (`settled`), for observers such as tests and the console. */
  events: EventEmitter<{ settled: [Settlement] }>;
  /** Whether acceptance is failing for want of disk space (docs/full-disk.md). */
  space: DiskSpaceGuard;
  /** The one way into the mail system: validate, compose, sign, persist durably, queue. */
  ingest(submission: Submission): Promise<AcceptedMessage>;
  /**
   * The send-as rule ingest() applies, for ways in that can refuse earlier than a send (SMTP MAIL
   * FROM, Graph drafts); throws `sender_forbidden`.
   */
  checkSendAs(principal: Principal, claimed: readonly ClaimedSender[]): Promise<void>;
  /** The suppression rule ingest() applies, for SMTP's RCPT TO; throws `recipient_suppressed`. */
  checkSuppressed(addresses: readonly string[]): Promise<void>;
  /** Starts delivery (its threads, when configured) and the webhook dispatcher; resolves once they run. */
  startDelivery(): Promise<void>;
  /** Gives up this process's delivery leases, for a shutdown that cannot wait for them to finish. */
  releaseLeases(): Promise<number>;
  /** Held-message review: release, reject (with notice), expiry. */
  held: HeldReview;
  /** Message-finder search and tracking records. */
  tracking: TrackingService;
  /** Users' mailboxes: Sent copies, folders, read state. */
  mailboxes: MailboxService;
  /** Policies, sender lists, DNSBL zones and their audit log (admin API and CLI alike). */
  settings: InboundSettings;
  /** Litigation holds that suspend purging. */
  holds: LitigationHolds;
  /** Listing and revoking users, Mimecast keys, OAuth apps and DKIM keys (admin API, CLI, console). */
  identities: IdentityService;
  /** Uploaded files: streamed, checked, counted against the quota, used by sends. */
  files: FileService;
  /** Reading the held queue: lists, counts per policy, the review log. */
  heldQueue: HeldQueue;
  /** Graph drafts, their attachments and upload sessions. */
  drafts: DraftService;
  /** Operators' queue control: list, show, retry, bounce, delete, flush (docs/queue-control.md). */
  queue: QueueControl;
  /** Addresses client mail is not sent to: hard bounces add them (docs/bounces.md). */
  suppressions: Suppressions;
  /** Web console sign-in and sessions (cookie token hashed in the store). */
  consoleSessions: ConsoleSessions;
  /** Retention: dates messages and purges raw content past its date (started by main.ts). */
  purge: PurgeJob;
  /** Removes expired upload sessions and unused uploads with their bytes (started by main.ts). */
  uploadSweep: UploadSweep;
  /** Prometheus metrics (`/metrics`); other parts add scrape-time collectors with `metrics.onScrape`. */
  metrics: GatewayMetrics;
  /** `/readyz`: store, disk and listeners (main.ts adds the listeners as it binds them). */
  readiness: Readiness;
  /** Recipients' quarantine digests (the scheduled pass is started by main.ts). */
  digest: QuarantineDigest;
  /** What the digests' one-time links do (docs/quarantine-digest.md). */
  digestActions: DigestActions;
  /** Webhook subscriptions, delivery logs, the backlog of unsent events, and the dispatcher (started with delivery). */
  webhooks: WebhookService;
  close(): Promise<void>;
}

/** How often expired holds are looked for. */
const HELD_SWEEP_MS = 60_000;

export async function createGateway(config: Config, options: { log?: Logger; clock?: Clock } = {}): Promise<Gateway> {
  const log = options.log ?? pino({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  prepareDataDir(config.dataDir, log);
  const metrics = createMetrics(log);
  // Per-request lookups are cached until a change to what they read (store/lookup-cache.ts).
  const store = withLookupCache(timedStore(await openStore(config, log), metrics.storeDuration));
  const secrets = createSecretBox(loadMasterKey(config.dataDir));
  // A wrong key is refused at start, not found one request at a time.
  await assertMasterKey(store, secrets).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  // Leases know their owner: a restart reclaims its own at once, a silent owner's are taken over.
  const instance = await claimInstance({ store, dataDir: config.dataDir, config, log, wake: () => worker.wake() }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  tightenDataFiles(config.dataDir, log, Boolean(process.env.MAILGATE_MASTER_KEY));
  const composer = createComposer();
  const signer = createDkimSigner(store, secrets);
  const events = new EventEmitter<{ settled: [Settlement] }>();
  // Delivery threads use the system clock; a gateway given another clock (tests) delivers itself.
  const threaded = config.deliveryThreads > 0 && config.workerConcurrency > 0 && !options.clock;
  // Delivery threads build their own transports.
  const transports = threaded ? {} : buildTransports(config, store, clock);

  const senders: SenderDirectory = {
    delegationsOf: (userId) => store.listDelegations(userId),
    isMailbox: async (address) => (await store.getUserByEmail(address)) !== undefined,
  };
  const isLocalDomain = (domain: string) => config.localDomains.includes(domain.toLowerCase());
  const resolve = createDnsResolver(config.dnsServers);
  const scanner = createScanner({
    store,
    // The console's "Check DNS" asks afresh (below); the checks on every message may reuse answers.
    resolve: cachedDnsResolver(resolve, config.dnsCacheSeconds * 1000, clock),
    hostname: config.hostname,
    ...(config.rspamdUrl ? { rspamdUrl: config.rspamdUrl } : {}),
    log,
  });
  const accept = createAcceptance({ config, store, composer, signer, clock, wake: () => worker.wake(), senders, scanner });
  // A full disk refuses as a temporary failure, warned about once (docs/full-disk.md).
  const space = createDiskSpaceGuard(log);
  // Every way in is timed and counted here, once (metrics/gateway-observers.ts).
  const submit = observedIngest((submission: Submission) => space.run(() => accept(submission)), metrics);

  const notifySender = createFailureNotifier({ store, ingest: submit, clock, hostname: config.hostname });
  const suppressions = createSuppressions({ store, clock, bounceDays: config.suppressionDays });

  const held = createHeldReview({
    store,
    ingest: submit,
    notifier: { wake: () => worker.wake() },
    clock,
    hostname: config.hostname,
    queueLifetimeMs: config.queueLifetime * 1000,
    onActed: observeHeldActions(metrics, store, log),
  });
  let heldSweep: NodeJS.Timeout | undefined;
  let stopWaking: (() => void) | undefined;
  const tracking = createTrackingService({ store, clock, log });
  const purge = createPurgeJob({
    store,
    clock,
    log,
    retentionMs: config.retentionDays * DAY_MS,
    intervalMs: config.purgeIntervalSeconds * 1000,
  });
  const uploadSweep = createUploadSweep({
    store,
    clock,
    log,
    retentionMs: config.uploadRetentionSeconds * 1000,
    intervalMs: config.uploadSweepIntervalSeconds * 1000,
  });
  const settings = createInboundSettings(store, clock);
  const digestLinks = createDigestLinks(secrets.deriveKey('digest links'));
  const digest = createQuarantineDigest({ store, links: digestLinks, ingest: submit, clock, log, config });
  const owner = instance.id;
  const countSettlement = observeSettlement(metrics);
  const hooks: Pick<DeliveryWorkerDeps, 'onFinalFailure' | 'onSettled' | 'onAttempt'> = {
    async onFinalFailure(job, reply) {
      const failed = { ...job, code: reply.code, reply: reply.reply };
      await suppressions.recordBounce(failed).catch((err: unknown) => log.error({ err, messageId: job.messageId }, 'suppression: recording a bounce failed'));
      await notifySender(failed);
    },
    onSettled: (settlement, job) => {
      countSettlement(settlement, job);
      events.emit('settled', settlement);
    },
    onAttempt: observeAttempt(metrics),
  };
  const threads = threaded ? createDeliveryThreads({ config, owner, log, threads: config.deliveryThreads, ...hooks }) : undefined;
  const worker = threads ?? createDeliveryWorker({ store, transports, clock, config, owner, log, ...hooks });
  metrics.onScrape(collectQueue(metrics, store, clock));
  const webhooks = createWebhookService({ store, secrets, clock, log, config, owner });
  metrics.onScrape(async () => metrics.webhookBacklog.set(await webhooks.backlog()));

  const guesses = createGuessGuard({
    counters: store,
    clock,
    log,
    limits: {
      maxFailures: config.authMaxFailures,
      ipMaxFailures: config.authIpMaxFailures,
      windowSeconds: config.authFailureWindowSeconds,
      lockoutSeconds: config.authLockoutSeconds,
      backoffMs: config.authBackoffMs,
    },
  });

  return {
    config,
    store,
    secrets,
    tokens: createTokenService({ store, secrets, clock }),
    guesses,
    consoleSessions: createConsoleSessions({ store, guesses, clock, config }),
    clock,
    log,
    events,
    space,
    ingest: submit,
    checkSendAs: (principal, claimed) => assertMaySendAs(principal, claimed, { directory: senders, isLocal: isLocalDomain }),
    checkSuppressed: (addresses) => assertNotSuppressed(addresses, store, clock.now()),
    releaseLeases: () => store.releaseLeases(owner),
    async startDelivery() {
      // Work committed by other processes on a shared database wakes this worker too (threads watch for themselves).
      if (!threads) stopWaking ??= store.onWake(() => worker.wake());
      instance.start();
      worker.start();
      await threads?.ready();
      webhooks.dispatch.start();
      // Unreviewed holds expire on MAILGATE_HELD_LIFETIME_SECONDS; a minute's lateness is fine.
      heldSweep ??= setInterval(() => {
        held.expire().catch((error: unknown) => log.error({ err: error }, 'held expiry failed'));
      }, HELD_SWEEP_MS).unref();
    },
    held,
    tracking,
    mailboxes: createMailboxService({ store, clock }),
    settings,
    holds: createLitigationHolds(store, clock),
    identities: createIdentityService({ store, secrets, clock, resolve }),
    files: createFileService({ store, clock, config }),
    heldQueue: createHeldQueue(store),
    drafts: createDraftService({ store, clock, config }),
    suppressions,
    queue: createQueueControl({ store, clock, notifier: { wake: () => worker.wake() }, notifyFailure: notifySender }),
    purge,
    uploadSweep,
    metrics,
    readiness: createReadiness({ store, dataDir: config.dataDir, minFreeMb: config.readyMinFreeMb, spaceShort: () => space.short }),
    digest,
    digestActions: createDigestActions({ store, links: digestLinks, held, settings, clock }),
    webhooks,
    async close() {
      clearInterval(heldSweep);
      stopWaking?.();
      await webhooks.dispatch.stop();
      await purge.stop();
      await uploadSweep.stop();
      await digest.stop();
      await worker.stop();
      // Beating until deliveries settled: a silent instance's leases would be taken over mid-send.
      await instance.retire();
      await Promise.all(Object.values(transports).map((t) => t.close()));
      await store.close();
    },
  };
}
