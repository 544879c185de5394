/**
 * The parts the gateway assembles around ingest(): how a submission is accepted (client MIME read,
 * composition, signing, screening, the send-as rule, suppression).
 */
import type { Config } from './config/config.js';
import { ingest } from './core/ingest.js';
import type { AcceptedMessage, Submission } from './core/message.js';
import type { SenderDirectory } from './core/send-as.js';
import type { Clock, Composer, Signer } from './core/ports.js';
import type { Store } from './core/storage/store.js';
import { prepareRawMessage, readHeaderSummary, readRecipientNames } from './mime/raw-message.js';
import type { Scanner } from './core/screening.js';
import { DAY_MS } from './tracking/retention.js';

/** Graph allows 500 recipients per message; the same cap protects every dialect. */
const MAX_RECIPIENTS = 500;

export interface AcceptanceParts {
  config: Config;
  store: Store;
  composer: Composer;
  signer: Signer;
  clock: Clock;
  /** Wakes the delivery worker after a commit. */
  wake: () => void;
  senders: SenderDirectory;
  scanner: Scanner;
}

/** ingest() bound to this gateway's parts and settings. */
export function createAcceptance(parts: AcceptanceParts): (submission: Submission) => Promise<AcceptedMessage> {
  const { config, store, composer, signer, clock, wake, senders, scanner } = parts;
  // Messages being ingested right now. One alone is signed on the event loop, which has nothing
  // else to do meanwhile (the RSA signature is a third of a millisecond, the round trip through
  // the thread pool as much again); with others in flight the pool signs while they progress.
  let ingesting = 0;
  const signing: Signer = { sign: (raw, domain) => signer.sign(raw, domain, { inline: ingesting === 1 }) };
  return async (submission) => {
    ingesting++;
    try {
      return await ingestOne(submission);
    } finally {
      ingesting--;
    }
  };

  function ingestOne(submission: Submission): Promise<AcceptedMessage> {
    return ingest(submission, {
      sink: store,
      composer,
      raw: {
        prepare(raw, ids) {
          // A client's Bcc header must not reach the recipients it hides.
          const prepared = prepareRawMessage(raw, ids, { stripBcc: true });
          const summary = readHeaderSummary(prepared.raw);
          return {
            ...prepared,
            from: summary.fromHeader,
            subject: summary.subject,
            fromAddresses: summary.fromAddresses,
            senderAddresses: summary.senderAddresses,
            // From the client's bytes: the Bcc field holding blind recipients' names is gone from `prepared`.
            recipientNames: readRecipientNames(raw),
          };
        },
      },
      signer: signing,
      clock,
      notifier: { wake },
      hostname: config.hostname,
      localDomains: config.localDomains,
      remoteTransport: config.delivery,
      queueLifetimeMs: config.queueLifetime * 1000,
      retentionMs: config.retentionDays * DAY_MS,
      maxRecipients: MAX_RECIPIENTS,
      senders,
      screening: { policies: store, scanner, recipientSenders: store },
      heldLifetimeMs: config.heldLifetime * 1000,
      suppressions: store,
    });
  }
}
