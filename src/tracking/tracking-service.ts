/**
 * Tracking reads over the store: search, the full record of one message (auditing who viewed it),
 * and single MIME components for review. Content summaries are computed from the raw message the
 * first time they are needed and saved, so the send path pays nothing and purged messages keep them.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/ports.js';
import { EVENT_KIND } from '../core/tracking.js';
import type { MessageRecord, RecipientRecord, Store } from '../core/storage/store.js';
import { readComponent, readMessageContent, type ContentSummary, type MessageContent } from './message-content.js';
import { buildMessageTrace, fallbackSummary, trackingStatusOf, type MessageTrace } from './message-trace.js';
import { EXPLAINED_BY_EVENTS, encodePageToken, toMessageSearch, trackedMessage, type SearchCriteria, type TrackedMessage } from './search.js';

export interface SearchResult {
  total: number;
  items: TrackedMessage[];
  /** Token of the next page; absent on the last one. */
  nextPageToken?: string;
}

/** Who reads a tracking record, for the retention audit. */
export interface Viewer {
  by: string;
  via: string;
}

export type ComponentResult =
  | { kind: 'found'; name: string; mimeType: string; content: Buffer }
  | { kind: 'no_message' | 'no_component' | 'purged' };

export interface TrackingService {
  search(criteria: SearchCriteria): Promise<SearchResult>;
  /** The full record, or undefined for an unknown id; records a `viewed` event first. */
  trace(messageId: string, viewer: Viewer): Promise<MessageTrace | undefined>;
  component(messageId: string, index: number): Promise<ComponentResult>;
  /** The stored raw message (its source, as delivered). */
  raw(messageId: string): Promise<{ kind: 'found'; content: Buffer } | { kind: 'no_message' | 'purged' }>;
  /** Each recipient's delivery state, as the tracking records have it now. */
  recipients(messageId: string): Promise<RecipientRecord[]>;
}

function isSummary(value: unknown): value is ContentSummary {
  return typeof value === 'object' && value !== null && Array.isArray((value as ContentSummary).components);
}

export function createTrackingService(deps: { store: Store; clock: Clock; log: Logger }): TrackingService {
  const { store, clock, log } = deps;

  /** The raw message, or undefined once it is purged (or lost, which tracking reports the same way). */
  async function rawOf(message: MessageRecord): Promise<Buffer | undefined> {
    if (message.purgedAt !== null) return undefined;
    try {
      return await store.blobs.get(message.blobKey);
    } catch (err) {
      log.warn({ err, messageId: message.id }, 'tracking: raw message unreadable');
      return undefined;
    }
  }

  /** Parses the raw message once and keeps its summary; falls back to the row when the raw is gone. */
  async function contentOf(message: MessageRecord, withBodies: boolean): Promise<{ summary: ContentSummary; content?: MessageContent }> {
    const saved = await store.getMessageSummary(message.id);
    if (isSummary(saved) && !withBodies) return { summary: saved };
    const raw = await rawOf(message);
    if (!raw) return { summary: isSummary(saved) ? saved : fallbackSummary(message, await store.listRecipients(message.id)) };
    const content = await readMessageContent(raw);
    if (!isSummary(saved)) await store.saveMessageSummary(message.id, content.summary);
    return { summary: content.summary, content };
  }

  return {
    recipients: (messageId) => store.listRecipients(messageId),
    async search(criteria) {
      const search = toMessageSearch(criteria, clock.now());
      const page = await store.searchMessages(search);
      const recipients = await store.listRecipientsOf(page.messages.map((m) => m.id));
      const items = await Promise.all(
        page.messages.map(async (m) => {
          const own = recipients.filter((r) => r.messageId === m.id);
          const { summary } = await contentOf(m, false);
          const explained = EXPLAINED_BY_EVENTS.includes(trackingStatusOf(own.map((r) => r.status)));
          return trackedMessage(m, own, summary, explained ? await store.listEvents(m.id) : []);
        }),
      );
      const last = page.messages.at(-1);
      const more = last !== undefined && page.messages.length === search.limit;
      return { total: page.total, items, ...(more ? { nextPageToken: encodePageToken(last) } : {}) };
    },

    async trace(messageId, viewer) {
      const message = await store.getMessage(messageId);
      if (!message) return undefined;
      const now = clock.now();
      await store.appendEvents([{ messageId, kind: EVENT_KIND.viewed, at: now, detail: { by: viewer.by, via: viewer.via } }]);
      const [recipients, events, holds, { summary, content }] = await Promise.all([
        store.listRecipients(messageId),
        store.listEvents(messageId),
        store.litigationHoldsFor(messageId, now),
        contentOf(message, true),
      ]);
      return buildMessageTrace({
        message,
        recipients,
        events,
        summary,
        bodies: content ? { textBody: content.textBody, htmlBody: content.htmlBody } : undefined,
        holds,
      });
    },

    async raw(messageId) {
      const message = await store.getMessage(messageId);
      if (!message) return { kind: 'no_message' };
      const raw = await rawOf(message);
      return raw ? { kind: 'found', content: raw } : { kind: 'purged' };
    },

    async component(messageId, index) {
      const message = await store.getMessage(messageId);
      if (!message) return { kind: 'no_message' };
      const raw = await rawOf(message);
      if (!raw) return { kind: 'purged' };
      const part = await readComponent(raw, index);
      if (!part) return { kind: 'no_component' };
      return { kind: 'found', name: part.name, mimeType: part.mimeType, content: part.content };
    },
  };
}
