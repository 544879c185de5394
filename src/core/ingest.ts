/**
 * The one way into the mail system. Every dialect (HTTP APIs, SMTP, CLI, notices) builds a
 * Submission and calls ingest(): validate → compose/prepare → DKIM-sign → persist durably →
 * wake delivery. Nothing is acknowledged before the message, its recipients and its first
 * events are committed.
 */
import { MailgateError } from './errors.js';
import { newId } from './ids.js';
import type { AcceptedMessage, ComposeContent, Envelope, MailAddress, Submission } from './message.js';
import { screen, type ScreeningDeps } from './screening.js';
import { assertMaySendAs, claimsLocalDomain, type ClaimedSender, type SenderDirectory } from './send-as.js';
import { assertNotSuppressed, type SuppressionLookup } from './suppression.js';
import type {
  Clock,
  Composer,
  MessageSink,
  NewEvent,
  NewHold,
  NewRecipient,
  PreparedRaw,
  QueueNotifier,
  RawPreparer,
  Signer,
} from './ports.js';
import { prepend } from './message-bytes.js';
import { EVENT_KIND, ROUTE, TRANSPORT, type Route, type TransportName } from './tracking.js';
import { assertAddress, validateComposeContent } from './validate.js';

export interface IngestDeps {
  sink: MessageSink;
  composer: Composer;
  raw: RawPreparer;
  signer: Signer;
  clock: Clock;
  notifier: QueueNotifier;
  hostname: string;
  localDomains: readonly string[];
  /** How mail for non-local domains leaves: relay, mx or capture. */
  remoteTransport: TransportName;
  /** Milliseconds after acceptance when undelivered mail expires. */
  queueLifetimeMs: number;
  /** Milliseconds after acceptance when the raw message may be purged (retention, not the queue). */
  retentionMs: number;
  maxRecipients: number;
  /** Who owns which addresses, for the send-as rule. */
  senders: SenderDirectory;
  /** Scan and hold policies; absent = every recipient is queued. */
  screening?: ScreeningDeps;
  /** Milliseconds an unreviewed hold waits before it expires. */
  heldLifetimeMs?: number;
  /** Addresses clients may not send to; absent = none are. */
  suppressions?: SuppressionLookup;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The Date header as MailComposer writes it for a Date object. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function formatAddress(a: MailAddress): string {
  return a.name ? `"${a.name.replace(/(["\\])/g, '\\$1')}" <${a.address}>` : a.address;
}

function envelopeOf(mail: ComposeContent): Envelope {
  const rcptTo = [...mail.to, ...mail.cc, ...mail.bcc].map((a) => a.address);
  return { mailFrom: (mail.sender ?? mail.from).address, rcptTo };
}

function uniqueRecipients(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = a.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every address the message claims to come from; Reply-To is free, as in Exchange. */
function claimedSenders(envelopeFrom: string | undefined, mail: ComposeContent | undefined, prepared: PreparedRaw | undefined): ClaimedSender[] {
  const claimed: ClaimedSender[] = envelopeFrom === undefined ? [] : [{ address: envelopeFrom, field: 'envelope.mailFrom' }];
  if (mail) {
    claimed.push({ address: mail.from.address, field: 'from.address' });
    if (mail.sender) claimed.push({ address: mail.sender.address, field: 'sender.address' });
  }
  if (prepared) {
    claimed.push(...prepared.fromAddresses.map((address) => ({ address, field: 'from' })));
    claimed.push(...prepared.senderAddresses.map((address) => ({ address, field: 'sender' })));
  }
  return claimed;
}

/** Only a sender that passed the send-as rule makes mail internal; anyone else's is inbound. */
function routeOf(mailFrom: string, rcptTo: readonly string[], isLocal: (d: string) => boolean, authorized: boolean): Route {
  if (rcptTo.some((r) => !isLocal(domainOf(r)))) return ROUTE.outbound;
  return authorized && mailFrom !== '' && isLocal(domainOf(mailFrom)) ? ROUTE.internal : ROUTE.inbound;
}

/**
 * Applies the send-as rule (docs/sender-authority.md) and answers whether the message speaks for
 * its principal: our own notices and principals that passed do; unauthenticated mail never does,
 * and may not claim a local domain unless it came from a trusted network.
 */
async function authorize(submission: Submission, claimed: ClaimedSender[], deps: IngestDeps, isLocal: (d: string) => boolean): Promise<boolean> {
  if (submission.source === 'system') return true;
  if (submission.principal) {
    await assertMaySendAs(submission.principal, claimed, { directory: deps.senders, isLocal });
    return true;
  }
  const local = claimsLocalDomain(claimed, isLocal);
  if (local && !submission.connection?.trustedNetwork) {
    throw new MailgateError('sender_forbidden', `Authentication required to send as ${local.address}`, local.field);
  }
  return false;
}

function kindOf(address: string, mail: ComposeContent | undefined): NewRecipient['kind'] {
  if (!mail) return 'envelope';
  const has = (list: MailAddress[]) => list.some((a) => a.address.toLowerCase() === address.toLowerCase());
  if (has(mail.to)) return 'to';
  if (has(mail.cc)) return 'cc';
  return has(mail.bcc) ? 'bcc' : 'envelope';
}

/**
 * Display names of the recipients, by lower-cased address, kept with the message so tracking and
 * held review can show them: a Bcc recipient's name appears in no header (docs/vendor-apis.md).
 */
function recipientNamesOf(mail: ComposeContent | undefined, prepared: PreparedRaw | undefined): Record<string, string> {
  if (!mail) return { ...(prepared?.recipientNames ?? {}) };
  const names: Record<string, string> = {};
  for (const a of [...mail.to, ...mail.cc, ...mail.bcc]) {
    const key = a.address.toLowerCase();
    if (a.name && names[key] === undefined) names[key] = a.name;
  }
  return names;
}

export async function ingest(submission: Submission, deps: IngestDeps): Promise<AcceptedMessage> {
  const local = new Set(deps.localDomains);
  const isLocal = (domain: string) => local.has(domain);
  const mail = submission.content.kind === 'compose' ? validateComposeContent(submission.content.mail) : undefined;

  const given = submission.envelope ?? (mail ? envelopeOf(mail) : undefined);
  if (!given) throw new MailgateError('field_required', 'A MIME submission needs an envelope', 'envelope');
  const mailFrom = given.mailFrom === '' ? '' : assertAddress(given.mailFrom, 'envelope.mailFrom');
  const rcptTo = uniqueRecipients(given.rcptTo.map((r, i) => assertAddress(r, `envelope.rcptTo[${i}]`)));
  if (rcptTo.length === 0) throw new MailgateError('no_recipients');
  if (rcptTo.length > deps.maxRecipients) {
    throw new MailgateError('too_many_recipients', `At most ${deps.maxRecipients} recipients per message`);
  }

  const now = deps.clock.now();
  const id = newId(now);
  const ids = { messageId: submission.messageId ?? `<${id}@${deps.hostname}>`, date: new Date(now) };

  const prepared = submission.content.kind === 'mime' ? deps.raw.prepare(submission.content.raw, ids) : undefined;
  if (!mail && !prepared) throw new MailgateError('invalid_value', 'Unknown content kind', 'content');
  const claimed = claimedSenders(submission.envelope ? mailFrom : undefined, mail, prepared);
  const authorized = await authorize(submission, claimed, deps, isLocal);
  // The gateway's own notices go to the sender who just sent; the list guards against clients.
  if (deps.suppressions && submission.source !== 'system') await assertNotSuppressed(rcptTo, deps.suppressions, now);

  let raw: Buffer;
  let header: { messageId: string; date: string; from: string; subject: string };
  if (prepared) {
    raw = prepared.raw;
    header = prepared;
  } else {
    const composed = mail as ComposeContent;
    raw = await deps.composer.compose(composed, ids);
    header = { messageId: ids.messageId, date: rfc5322Date(ids.date), from: formatAddress(composed.from), subject: composed.subject };
  }

  const route = routeOf(mailFrom, rcptTo, isLocal, authorized);
  const { connection } = submission;
  // Our own notices are not screened: holding a bounce about a held message helps no one.
  const screened = deps.screening && submission.source !== 'system'
    ? await screen(
        {
          raw,
          route,
          mailFrom,
          fromAddress: (mail ? mail.from.address : (prepared?.fromAddresses[0] ?? '')).toLowerCase(),
          subject: header.subject,
          recipients: rcptTo,
          ...(connection ? { connection } : {}),
        },
        deps.screening,
      )
    : undefined;
  if (screened?.headers) raw = prepend(Buffer.from(screened.headers, 'utf8'), raw);
  // DKIM is the From domain's promise (DMARC aligns on From): given only for mail whose sender
  // passed the send-as rule; mail arriving from outside keeps its own signatures.
  const signingAddress = mail ? mail.from.address : claimed.find((c) => c.field === 'from')?.address;
  if (authorized && signingAddress) raw = await deps.signer.sign(raw, domainOf(signingAddress));

  const recipients: NewRecipient[] = rcptTo.map((address) => {
    const domain = domainOf(address);
    return {
      id: newId(now),
      address,
      domain,
      kind: kindOf(address, mail),
      transport: isLocal(domain) ? TRANSPORT.local : deps.remoteTransport,
      status: screened?.holds.has(address) ? 'held' : 'queued',
      nextAttemptAt: now,
    };
  });
  const events: NewEvent[] = [
    {
      messageId: id,
      kind: EVENT_KIND.received,
      at: now,
      detail: { source: submission.source, size: raw.length, principal: submission.principal?.email ?? null },
    },
    ...(screened?.spamInfo ? [{ messageId: id, kind: EVENT_KIND.scanned, at: now, detail: { spamInfo: screened.spamInfo } }] : []),
    ...recipients.map((r): NewEvent => {
      const hold = screened?.holds.get(r.address);
      if (hold) return { messageId: id, recipientId: r.id, kind: EVENT_KIND.held, at: now, detail: { ...hold } };
      return { messageId: id, recipientId: r.id, kind: EVENT_KIND.queued, at: now, detail: { transport: r.transport } };
    }),
  ];
  const firstHeld = recipients.find((r) => r.status === 'held');
  const decision = firstHeld && screened?.holds.get(firstHeld.address);
  const hold: NewHold | undefined =
    firstHeld && decision
      ? {
          decision,
          hasAttachments: screened?.hasAttachments ?? false,
          toAddress: firstHeld.address,
          heldAt: now,
          expiresAt: now + (deps.heldLifetimeMs ?? deps.queueLifetimeMs),
        }
      : undefined;
  const recipientNames = recipientNamesOf(mail, prepared);
  const meta = {
    ...(submission.meta ?? {}),
    ...(Object.keys(recipientNames).length > 0 ? { recipientNames } : {}),
    ...(connection ? { connection } : {}),
    ...(screened?.spamInfo ? { spamInfo: screened.spamInfo } : {}),
    // Unscanned mail still reports the level in force (the Get Message Info page (docs/vendor-apis.md#message-tracking) `detectionLevel`).
    ...(screened && !screened.spamInfo ? { detectionLevel: screened.detectionLevel } : {}),
  };

  await deps.sink.acceptMessage(
    {
      id,
      internetMessageId: header.messageId,
      source: submission.source,
      route,
      userId: submission.principal?.userId ?? null,
      mailFrom,
      fromHeader: header.from,
      subject: header.subject,
      size: raw.length,
      blobKey: id,
      receivedAt: now,
      expiresAt: now + deps.queueLifetimeMs,
      purgeAt: now + deps.retentionMs,
      meta,
      ...(connection ? { senderIp: connection.remoteIp } : {}),
      recipients,
      events,
      ...(hold ? { hold } : {}),
    },
    raw,
    { durable: !submission.durableWithAnswer },
  );
  deps.notifier.wake();
  return {
    id,
    internetMessageId: header.messageId,
    date: header.date,
    route,
    recipients: recipients.map((r) => ({ address: r.address, transport: r.transport, status: r.status })),
    raw,
  };
}
