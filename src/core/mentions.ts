/**
 * @-mentions (Graph's `mention` resource, docs/vendor-apis.md "Graph mentions"): people a sender
 * calls out in a message. They are kept with the message record, not in its MIME, so every local
 * mailbox copy can show them while external recipients receive the message's bytes unchanged.
 */
import { isObject } from './json-fields.js';
import type { MailAddress } from './message.js';

/** One mention as accepted; dates are ISO 8601, the four optional texts are null when not given. */
export interface Mention {
  id: string;
  mentioned: MailAddress;
  createdBy: MailAddress;
  createdDateTime: string;
  serverCreatedDateTime: string;
  mentionText: string | null;
  clientReference: string | null;
  deepLink: string | null;
  application: string | null;
}

/** The key under which a message record's `meta` carries its mentions. */
export const MENTIONS_META_KEY = 'mentions';

const addressOf = (value: unknown): MailAddress | undefined => {
  if (!isObject(value) || typeof value.address !== 'string') return undefined;
  return typeof value.name === 'string' ? { address: value.address, name: value.name } : { address: value.address };
};
const textOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The mentions stored in a record's JSON (message meta or mailbox properties); anything malformed is left out. */
export function mentionsIn(value: unknown): Mention[] {
  if (!Array.isArray(value)) return [];
  const out: Mention[] = [];
  for (const m of value) {
    if (!isObject(m) || typeof m.id !== 'string') continue;
    const mentioned = addressOf(m.mentioned);
    const createdBy = addressOf(m.createdBy);
    if (!mentioned || !createdBy) continue;
    out.push({
      id: m.id,
      mentioned,
      createdBy,
      createdDateTime: textOf(m.createdDateTime) ?? '',
      serverCreatedDateTime: textOf(m.serverCreatedDateTime) ?? '',
      mentionText: textOf(m.mentionText),
      clientReference: textOf(m.clientReference),
      deepLink: textOf(m.deepLink),
      application: textOf(m.application),
    });
  }
  return out;
}

/** Whether `address` is among the mentioned (addresses compare case-insensitively). */
export function mentionsAddress(mentions: readonly Mention[], address: string): boolean {
  const wanted = address.toLowerCase();
  return mentions.some((m) => m.mentioned.address.toLowerCase() === wanted);
}
