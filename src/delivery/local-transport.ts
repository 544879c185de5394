/** Delivery into the gateway's own mailboxes, for recipients in local domains. */
import { simpleParser } from 'mailparser';
import type { AttemptRecord, Clock, OutboundEnvelope, RecipientReply, Transport } from '../core/ports.js';
import type { Store } from '../store/store.js';

/** The worker also passes the message id, so a mailbox entry can point back at its message. */
export type LocalEnvelope = OutboundEnvelope & { messageId?: string };

export interface LocalTransportOptions {
  newId(): string;
  clock: Clock;
}

const UNKNOWN: RecipientReply = { outcome: 'permanent', code: 550, reply: '5.1.1 mailbox unavailable' };

/** Only the header block is parsed: a mailbox entry needs Subject and From, not the attachments. */
async function summary(raw: Buffer): Promise<{ subject: string; fromHeader: string }> {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  const parsed = await simpleParser(raw.subarray(0, end), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  // Rebuilt from the parsed addresses: `from.text` quotes every display name.
  const fromHeader = (parsed.from?.value ?? [])
    .map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? '')))
    .join(', ');
  return { subject: parsed.subject ?? '', fromHeader };
}

/** Files the message in the `inbox` of each recipient with a user account; 550 5.1.1 for the rest. */
export function createLocalTransport(
  store: Pick<Store, 'getUserByEmail' | 'addToMailbox' | 'blobs'>,
  opts: LocalTransportOptions,
): Transport {
  return {
    async send(envelope: LocalEnvelope, raw) {
      const startedAt = opts.clock.now();
      const replies: Record<string, RecipientReply> = {};
      let bytes = 0;
      try {
        const users = await Promise.all(envelope.rcptTo.map((address) => store.getUserByEmail(address)));
        if (users.some((u) => u !== undefined)) {
          // One copy of the bytes, shared by every local recipient of this transaction.
          const blobKey = `mailbox-${opts.newId()}`;
          await store.blobs.put(blobKey, raw);
          const { subject, fromHeader } = await summary(raw);
          bytes = raw.length;
          for (const [i, address] of envelope.rcptTo.entries()) {
            const user = users[i];
            if (!user) continue;
            await store.addToMailbox({
              id: opts.newId(),
              userId: user.id,
              folder: 'inbox',
              messageId: envelope.messageId ?? null,
              blobKey,
              subject,
              fromHeader,
              size: raw.length,
              receivedAt: opts.clock.now(),
              unread: true,
            });
            replies[address] = { outcome: 'delivered', code: 250, reply: `2.0.0 delivered to ${user.email}` };
          }
        }
        for (const address of envelope.rcptTo) replies[address] ??= UNKNOWN;
      } catch (err) {
        // Our own store failing is never the recipient's fault: keep the mail queued.
        for (const address of envelope.rcptTo) {
          replies[address] ??= { outcome: 'temporary', code: 451, reply: `4.3.0 local delivery failed: ${(err as Error).message}` };
        }
      }
      const record: AttemptRecord = { transport: 'local', startedAt, endedAt: opts.clock.now(), bytes, replies };
      return record;
    },
    async close() {},
  };
}
