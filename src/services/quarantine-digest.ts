/**
 * Sending quarantine digests (docs/quarantine-digest.md): each recipient in MAILGATE_DIGEST_DOMAINS
 * with spam-held mail gets one digest per period, listing the messages with signed one-time links.
 * The scheduled pass claims (recipient, period) in the store before sending, so several processes
 * on one database send each digest once; `sendNow` (the CLI) sends regardless of the period.
 */
import type { Logger } from 'pino';
import type { DigestConfig } from '../config/digest-options.js';
import type { AcceptedMessage, Submission } from '../core/message.js';
import type { Clock } from '../core/ports.js';
import type { DigestItem, DigestStore } from '../core/storage/digest-store.js';
import { DIGEST_ACTIONS, type DigestLinks } from '../auth/digest-links.js';
import { digestSubmission, type DigestEntry } from './digest-message.js';
import { periodicPass } from './periodic-pass.js';

/**
 * Holds a recipient may release themselves: spam verdicts only. Administrators' own policies
 * (content, attachment, sender, recipient, DMARC, blocklists) protect the organisation and stay
 * with the held reviewers.
 */
export const RECIPIENT_RELEASABLE_REASONS: readonly string[] = ['MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY'];

/** A digest lists at most this many messages (the oldest first); the rest wait for the next one. */
const MAX_ITEMS_PER_DIGEST = 100;
/** Items read per pass, across recipients. */
const MAX_ITEMS_PER_PASS = 20_000;
/** The scheduled pass looks for due digests this often (at most), so a new period starts on time. */
const MAX_TICK_MS = 15 * 60_000;

export interface SentDigest {
  recipient: string;
  messageId: string;
  items: number;
}

export interface QuarantineDigest {
  /** Starts the scheduled pass (nothing when no digest domain is configured). */
  start(): void;
  /** One scheduled pass now: digests not yet sent this period. */
  runOnce(): Promise<SentDigest[]>;
  /** Sends a digest now to every recipient with releasable held mail (or only `recipient`), whatever the period. */
  sendNow(recipient?: string): Promise<SentDigest[]>;
  stop(): Promise<void>;
}

export interface QuarantineDigestDeps {
  store: Pick<DigestStore, 'listDigestItems' | 'claimDigest' | 'unclaimDigest' | 'pruneDigestRecords'>;
  links: DigestLinks;
  ingest(submission: Submission): Promise<AcceptedMessage>;
  clock: Clock;
  log: Logger;
  config: DigestConfig;
}

function byRecipient(items: readonly DigestItem[]): Map<string, DigestItem[]> {
  const grouped = new Map<string, DigestItem[]>();
  for (const item of items) grouped.set(item.recipient, [...(grouped.get(item.recipient) ?? []), item]);
  return grouped;
}

export function createQuarantineDigest(deps: QuarantineDigestDeps): QuarantineDigest {
  const { config, clock } = deps;
  const periodMs = config.digestIntervalSeconds * 1000;

  function entryOf(item: DigestItem, expiresAt: number): DigestEntry {
    const sender = item.mailFrom.toLowerCase();
    // A null sender (a bounce) cannot be blocked or permitted; its message can still be released.
    const actions = sender === '' ? (['release'] as const) : DIGEST_ACTIONS;
    const links: DigestEntry['links'] = {};
    for (const action of actions) {
      const { token } = deps.links.sign({ action, messageId: item.messageId, recipient: item.recipient, sender, expiresAt });
      links[action] = `${config.digestBaseUrl}/quarantine/confirm?t=${token}`;
    }
    return { item, links };
  }

  async function send(recipient: string, items: readonly DigestItem[]): Promise<SentDigest> {
    const expiresAt = clock.now() + config.digestLinkLifetimeSeconds * 1000;
    const entries = items.slice(0, MAX_ITEMS_PER_DIGEST).map((item) => entryOf(item, expiresAt));
    const accepted = await deps.ingest(digestSubmission(recipient, entries, expiresAt));
    return { recipient, messageId: accepted.id, items: entries.length };
  }

  const itemsFor = (recipient?: string) =>
    deps.store.listDigestItems({
      domains: config.digestDomains,
      reasonIds: RECIPIENT_RELEASABLE_REASONS,
      ...(recipient ? { recipient: recipient.toLowerCase() } : {}),
      limit: MAX_ITEMS_PER_PASS,
    });

  async function scheduledPass(): Promise<SentDigest[]> {
    const now = clock.now();
    const period = Math.floor(now / periodMs);
    // Only the current period's claims decide anything; the previous one is kept for a pass straddling the boundary.
    await deps.store.pruneDigestRecords(now, period - 1);
    const sent: SentDigest[] = [];
    for (const [recipient, items] of byRecipient(await itemsFor())) {
      if (!(await deps.store.claimDigest(recipient, period, now))) continue;
      try {
        sent.push(await send(recipient, items));
      } catch (error) {
        // Not queued: give the claim back so that the next pass tries again.
        await deps.store.unclaimDigest(recipient, period);
        deps.log.error({ err: error, recipient }, 'quarantine digest could not be queued');
      }
    }
    if (sent.length > 0) deps.log.info({ digests: sent.length, period }, 'quarantine digests queued');
    return sent;
  }

  const pass = periodicPass(scheduledPass, { intervalMs: Math.min(periodMs, MAX_TICK_MS), log: deps.log, name: 'quarantine digest' });

  return {
    start() {
      if (config.digestDomains.length > 0) pass.start();
    },
    runOnce: () => pass.runOnce(),
    async sendNow(recipient) {
      const sent: SentDigest[] = [];
      for (const [address, items] of byRecipient(await itemsFor(recipient))) sent.push(await send(address, items));
      return sent;
    },
    stop: () => pass.stop(),
  };
}
