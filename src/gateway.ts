/** Composition of the gateway's parts from config; listeners are attached by main.ts. */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { hostname as osHostname } from 'node:os';
import { pino, type Logger } from 'pino';
import type { Config } from './config/config.js';
import { ingest } from './core/ingest.js';
import type { AcceptedMessage, Submission } from './core/message.js';
import { deliveryFailureNotice } from './core/notices.js';
import { newId } from './core/ids.js';
import { systemClock, type Clock, type DeliveryJob, type RecipientReply, type Transport } from './core/ports.js';
import { EVENT_KIND, type TransportName } from './core/tracking.js';
import { createSecretBox, loadMasterKey, type SecretBox } from './auth/secret-box.js';
import { createComposer } from './mime/compose.js';
import { createDkimSigner } from './mime/dkim-signer.js';
import { prepareRawMessage, readHeaderSummary } from './mime/raw-message.js';
import { createCaptureTransport } from './delivery/capture-transport.js';
import { createLocalTransport } from './delivery/local-transport.js';
import { createMxTransport, createRelayTransport } from './delivery/smtp-transport.js';
import { createDeliveryWorker } from './delivery/worker.js';
import { openStore } from './store/open-store.js';
import type { Settlement, Store } from './store/store.js';

export interface Gateway {
  config: Config;
  store: Store;
  secrets: SecretBox;
  clock: Clock;
  log: Logger;
  /** Settlements as they happen (`settled`), for observers such as tests and the console. */
  events: EventEmitter<{ settled: [Settlement] }>;
  /** The one way into the mail system: validate, compose, sign, persist durably, queue. */
  ingest(submission: Submission): Promise<AcceptedMessage>;
  startDelivery(): void;
  close(): Promise<void>;
}

/** Graph allows 500 recipients per message; the same cap protects every dialect. */
const MAX_RECIPIENTS = 500;

function buildTransports(config: Config, store: Store, clock: Clock): Partial<Record<TransportName, Transport>> {
  const transports: Partial<Record<TransportName, Transport>> = {
    local: createLocalTransport(store, { newId: () => newId(), clock }),
    capture: createCaptureTransport(path.join(config.dataDir, 'capture')),
    mx: createMxTransport({ hostname: config.hostname, port: config.mxPort }),
  };
  if (config.relay) transports.relay = createRelayTransport(config.relay, { hostname: config.hostname });
  return transports;
}

export async function createGateway(config: Config, options: { log?: Logger; clock?: Clock } = {}): Promise<Gateway> {
  const log = options.log ?? pino({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const store = await openStore(config);
  const secrets = createSecretBox(loadMasterKey(config.dataDir));
  const composer = createComposer();
  const signer = createDkimSigner(store, secrets);
  const events = new EventEmitter<{ settled: [Settlement] }>();
  const transports = buildTransports(config, store, clock);

  const submit = (submission: Submission) =>
    ingest(submission, {
      sink: store,
      blobs: store.blobs,
      composer,
      raw: {
        prepare(raw, ids) {
          // A client's Bcc header must not reach the recipients it hides.
          const prepared = prepareRawMessage(raw, ids, { stripBcc: true });
          const summary = readHeaderSummary(prepared.raw);
          return { ...prepared, from: summary.fromHeader, subject: summary.subject };
        },
      },
      signer,
      clock,
      notifier: { wake: () => worker.wake() },
      hostname: config.hostname,
      localDomains: config.localDomains,
      remoteTransport: config.delivery,
      queueLifetimeMs: config.queueLifetime * 1000,
      maxRecipients: MAX_RECIPIENTS,
    });

  async function notifySender(job: DeliveryJob, reply: RecipientReply): Promise<void> {
    const message = await store.getMessage(job.messageId);
    if (!message) return;
    const notice = deliveryFailureNotice(
      {
        mailFrom: job.mailFrom,
        subject: job.subject,
        internetMessageId: message.internetMessageId,
        recipient: job.address,
        code: reply.code,
        reply: reply.reply,
      },
      config.hostname,
    );
    if (!notice) return;
    const sent = await submit(notice);
    await store.appendEvents([
      {
        messageId: job.messageId,
        recipientId: job.recipientId,
        kind: EVENT_KIND.noticeSent,
        at: clock.now(),
        detail: { noticeId: sent.id, to: job.mailFrom },
      },
    ]);
  }

  const worker = createDeliveryWorker({
    store,
    transports,
    clock,
    config,
    owner: `${osHostname()}:${process.pid}:${newId()}`,
    log,
    onFinalFailure: notifySender,
    onSettled: (settlement) => events.emit('settled', settlement),
  });

  return {
    config,
    store,
    secrets,
    clock,
    log,
    events,
    ingest: submit,
    startDelivery: () => worker.start(),
    async close() {
      await worker.stop();
      await Promise.all(Object.values(transports).map((t) => t.close()));
      await store.close();
    },
  };
}
