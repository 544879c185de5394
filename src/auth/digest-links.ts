/**
 * The quarantine digest's one-time links (docs/quarantine-digest.md): a token carries the action,
 * the held message, the recipient, the sender it concerns and its expiry, signed with HMAC-SHA256
 * under a key derived from the master key. Verifying checks only the signature and the expiry; that
 * a token acts once is the store's job.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DIGEST_ACTIONS = ['release', 'block', 'permit'] as const;
export type DigestAction = (typeof DIGEST_ACTIONS)[number];

export interface DigestLink {
  /** Random; recorded when the link is used. */
  id: string;
  action: DigestAction;
  messageId: string;
  /** Lower case. */
  recipient: string;
  /** The held message's sender, as the digest showed it (lower case). */
  sender: string;
  expiresAt: number;
}

/** Why a token is refused: `malformed` (400), `forged` (403), `expired` (410). */
export type LinkProblem = 'malformed' | 'forged' | 'expired';

export type VerifiedLink = { ok: true; link: DigestLink } | { ok: false; problem: LinkProblem };

export interface DigestLinks {
  sign(link: Omit<DigestLink, 'id'>): { token: string; link: DigestLink };
  verify(token: string, now: number): VerifiedLink;
}

const MAX_TOKEN = 2048;

function isLink(value: unknown): value is DigestLink {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    (DIGEST_ACTIONS as readonly unknown[]).includes(v.action) &&
    typeof v.messageId === 'string' &&
    typeof v.recipient === 'string' &&
    typeof v.sender === 'string' &&
    typeof v.expiresAt === 'number'
  );
}

/** `key` is the secret box's `deriveKey('digest links')`. */
export function createDigestLinks(key: Buffer): DigestLinks {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    sign(fields) {
      const link: DigestLink = { id: randomBytes(16).toString('base64url'), ...fields };
      const payload = Buffer.from(JSON.stringify(link)).toString('base64url');
      return { token: `${payload}.${mac(payload).toString('base64url')}`, link };
    },
    verify(token, now) {
      const match = token.length <= MAX_TOKEN ? /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token) : null;
      if (!match) return { ok: false, problem: 'malformed' };
      const [, payload = '', signature = ''] = match;
      const expected = mac(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'forged' };
      let link: unknown;
      try {
        link = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, problem: 'malformed' };
      }
      if (!isLink(link)) return { ok: false, problem: 'malformed' };
      if (link.expiresAt <= now) return { ok: false, problem: 'expired' };
      return { ok: true, link };
    },
  };
}
