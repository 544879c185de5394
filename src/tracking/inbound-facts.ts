/**
 * Reads what the way in recorded with a message: the SMTP connection (`meta.connection`, an
 * InboundConnection), the scan result (`meta.spamInfo`, or the `scanned` event) and the hold
 * decisions (`held` events). Stored JSON is checked field by field, so an older or partial
 * record yields what it has instead of failing the whole tracking answer.
 */
import type { HoldDecision } from '../core/policy.js';
import type { InboundConnection } from '../core/screening.js';
import { isDetectionLevel, type DetectionLevel, type SpamInfo } from '../core/spam-info.js';
import { EVENT_KIND } from '../core/tracking.js';
import type { EventRecord, MessageRecord } from '../core/storage/store.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The receiving connection of mail that came in over SMTP; undefined for API submissions. */
export function connectionOf(message: MessageRecord): InboundConnection | undefined {
  const c = message.meta.connection;
  if (!isObject(c) || typeof c.remoteIp !== 'string') return undefined;
  return {
    remoteIp: c.remoteIp,
    remoteHost: text(c.remoteHost),
    helo: text(c.helo) ?? '',
    greeting: text(c.greeting) ?? '',
    tlsProtocol: text(c.tlsProtocol),
    tlsCipher: text(c.tlsCipher),
    authenticatedUser: text(c.authenticatedUser),
    transmissionStart: count(c.transmissionStart) ?? message.receivedAt,
    transmissionEnd: count(c.transmissionEnd) ?? message.receivedAt,
    transmissionSize: count(c.transmissionSize) ?? message.size,
  };
}

/** The HTTP client of an API submission (`meta.client`, src/api/client-facts.ts). */
export interface ApiClient {
  ip: string;
  host: string | null;
  requestSize: number | null;
}

/** Who submitted the message over an API; undefined for SMTP mail and older records. */
export function apiClientOf(message: MessageRecord): ApiClient | undefined {
  const c = message.meta.client;
  if (!isObject(c) || typeof c.ip !== 'string') return undefined;
  return { ip: c.ip, host: text(c.host), requestSize: count(c.requestSize) };
}

/** The detection level in force when the message was accepted: the scan's, else the one recorded for unscanned mail. */
export function detectionLevelOf(message: MessageRecord, spamInfo: SpamInfo | undefined): DetectionLevel {
  if (spamInfo && isDetectionLevel(spamInfo.detectionLevel)) return spamInfo.detectionLevel;
  return isDetectionLevel(message.meta.detectionLevel) ? message.meta.detectionLevel : 'moderate';
}

function isSpamInfo(value: unknown): value is SpamInfo {
  return isObject(value) && typeof value.spamScore === 'number' && isObject(value.spamProcessingDetail);
}

/** The scan result, when the message was scanned. */
export function spamInfoOf(message: MessageRecord, events: readonly EventRecord[]): SpamInfo | undefined {
  if (isSpamInfo(message.meta.spamInfo)) return message.meta.spamInfo;
  const scanned = events.find((e) => e.kind === EVENT_KIND.scanned && isSpamInfo(e.detail.spamInfo));
  return scanned?.detail.spamInfo as SpamInfo | undefined;
}

/** Recipients' display names kept by ingest() (lower-cased address → name); Bcc names live only here. */
export function recipientNamesOf(message: MessageRecord): ReadonlyMap<string, string> {
  const names = message.meta.recipientNames;
  if (!isObject(names)) return new Map();
  return new Map(Object.entries(names).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The hold decision recorded for a recipient (or, for whole-message events, any recipient). */
export function holdDecisionOf(events: readonly EventRecord[], recipientId: string): HoldDecision | undefined {
  const held = events.find((e) => e.kind === EVENT_KIND.held && (e.recipientId === recipientId || e.recipientId === null));
  if (!held || typeof held.detail.policyInfo !== 'string') return undefined;
  return held.detail as unknown as HoldDecision;
}
