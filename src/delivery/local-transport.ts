/** Delivery into the gateway's own mailboxes, for recipients in local domains. */
import { contentBytes } from '../core/content.js';
import { MENTIONS_META_KEY, mentionsAddress, mentionsIn, type Mention } from '../core/mentions.js';
import type { AttemptRecord, Clock, OutboundEnvelope, RecipientReply, Transport } from '../core/ports.js';
import { summaryOfRaw } from '../mime/mailbox-summary.js';
import { MAILBOX_FOLDER } from '../core/storage/mailbox-store.js';
import type { Store } from '../core/storage/store.js';

/** The worker also passes the message id, so a mailbox entry can point back at its message. */
export type LocalEnvelope = OutboundEnvelope & { messageId?: string };

export interface LocalTransportOptions {
  newId(): string;
  clock: Clock;
}

const UNKNOWN: RecipientReply = { outcome: 'permanent', code: 550, reply: '5.1.1 mailbox unavailable' };

/** The @-mentions the sender made, from the message record: its MIME carries none (src/core/mentions.ts). */
async function mentionsOf(store: Pick<Store, 'getMessage'>, messageId: string | undefined): Promise<Mention[]> {
  if (messageId === undefined) return [];
  const message = await store.getMessage(messageId);
  return mentionsIn(message?.meta[MENTIONS_META_KEY]);
}

/** Files the message in the `inbox` of each recipient with a user account; 550 5.1.1 for the rest. */
export function createLocalTransport(
  store: Pick<Store, 'getUserByEmail' | 'getMessage' | 'addToMailbox' | 'blobs'>,
  opts: LocalTransportOptions,
): Transport {
  return {
    async send(envelope: LocalEnvelope, content) {
      const startedAt = opts.clock.now();
      const replies: Record<string, RecipientReply> = {};
      let bytes = 0;
      try {
        const users = await Promise.all(envelope.rcptTo.map((address) => store.getUserByEmail(address)));
        if (users.some((u) => u !== undefined)) {
          const raw = await contentBytes(content);
          // One copy of the bytes, shared by every local recipient of this transaction.
          const blobKey = `mailbox-${opts.newId()}`;
          await store.blobs.put(blobKey, raw);
          // Parsed once here so that folder listings never re-read the MIME.
          const mentions = await mentionsOf(store, envelope.messageId);
          const summary = await summaryOfRaw(raw, mentions.length ? { [MENTIONS_META_KEY]: mentions } : {});
          bytes = raw.length;
          for (const [i, address] of envelope.rcptTo.entries()) {
            const user = users[i];
            if (!user) continue;
            await store.addToMailbox({
              id: opts.newId(),
              userId: user.id,
              folder: MAILBOX_FOLDER.inbox,
              messageId: envelope.messageId ?? null,
              blobKey,
              size: raw.length,
              receivedAt: opts.clock.now(),
              unread: true,
              ownerMentioned: mentionsAddress(mentions, user.email),
              ...summary,
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
