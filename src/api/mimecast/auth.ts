/**
 * The Mimecast API 1.0 request signature: `Authorization: MC {accessKey}:{signature}` where
 * signature = base64(HMAC-SHA1(base64decode(secretKey), date:reqId:path:appKey)).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../../auth/secret-box.js';
import { MailgateError } from '../../core/errors.js';
import type { Store, UserRecord } from '../../core/storage/store.js';
import { parseMcDate } from './mc-date.js';

/** What the check needs from an HTTP request; `path` excludes the query string. */
export interface MimecastAuthRequest {
  headers: Record<string, string | string[] | undefined>;
  path: string;
}

/** The check's collaborators; `now` is epoch ms, passed in so tests and callers share one clock. */
export interface MimecastAuthDeps {
  store: Pick<Store, 'getApiKey' | 'getApiApp' | 'getUserById' | 'rememberRequestId'>;
  secrets: SecretBox;
  now: number;
  clockSkewSeconds: number;
  replayProtection: boolean;
  /**
   * On idempotent routes a reused id is not refused here: the route replays the first answer to
   * an identical request and refuses any other (docs/retries.md). The caller sees `reusedRequestId`.
   */
  reuseAnsweredByRoute?: boolean;
}

/** The authenticated caller. */
export interface MimecastPrincipal {
  user: UserRecord;
  accessKey: string;
  appId: string;
  /** Replay protection is on and this x-mc-req-id was seen before (only with `reuseAnsweredByRoute`). */
  reusedRequestId?: boolean;
}

export const REPLAYED_MESSAGE = 'This x-mc-req-id has already been used';

const AUTHORIZATION = /^MC\s+([^:\s]+):(\S+?)\s*$/i;

/** Verifies a signed Mimecast request and returns its user; throws the auth_* MailgateError that explains why not. */
export async function authenticateMimecast(
  request: MimecastAuthRequest,
  deps: MimecastAuthDeps,
): Promise<MimecastPrincipal> {
  const authorization = requiredHeader(request.headers, 'authorization', 'Authorization');
  const appId = requiredHeader(request.headers, 'x-mc-app-id');
  const date = requiredHeader(request.headers, 'x-mc-date');
  const requestId = requiredHeader(request.headers, 'x-mc-req-id');

  // The signature part tolerates trailing whitespace/newlines: old Python samples send `sig\n`.
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) throw new MailgateError('auth_malformed', 'The Authorization header must be "MC {accessKey}:{signature}"');
  const [, accessKey = '', signature = ''] = parts;

  // Date checks come first: they cost nothing and reveal nothing about which keys exist.
  const dateMs = parseMcDate(date);
  if (dateMs === undefined) throw new MailgateError('auth_bad_date', `x-mc-date is not an RFC 1123 date: "${date.slice(0, 64)}"`);
  const skewMs = deps.clockSkewSeconds * 1000;
  const driftMs = dateMs - deps.now;
  if (Math.abs(driftMs) > skewMs) {
    const direction = driftMs > 0 ? 'ahead of' : 'behind';
    throw new MailgateError(
      'auth_stale_date',
      `x-mc-date is ${Math.round(Math.abs(driftMs) / 1000)} s ${direction} the server clock (allowed: ${deps.clockSkewSeconds} s)`,
    );
  }

  const key = await deps.store.getApiKey(accessKey);
  // A revoked key is as unknown as one never issued (docs/identities.md).
  if (!key || key.revokedAt !== undefined) throw new MailgateError('auth_unknown_key');
  // A key is bound to one application; signing with another app's id is not this key's request.
  if (key.appId !== appId) throw new MailgateError('auth_unknown_app', 'The access key is not bound to this x-mc-app-id');
  const app = await deps.store.getApiApp(appId);
  if (!app) throw new MailgateError('auth_unknown_app');

  const secretKey = openSecret(deps.secrets, key.secretKeyEnc, 'access key');
  const appKey = openSecret(deps.secrets, app.appKeyEnc, 'application');
  const expected = createHmac('sha1', Buffer.from(secretKey, 'base64'))
    .update(`${date}:${requestId}:${request.path}:${appKey}`, 'utf8')
    .digest('base64');
  if (!sameText(signature, expected)) throw new MailgateError('auth_invalid_signature');

  // Expiry is checked only after the signature verifies. Answering 418 to an unsigned request
  // would let anyone holding a leaked (or guessed) access key learn that its binding exists and
  // when it lapsed; after the check, only the holder of the secret learns it, and that holder
  // needs the 418 to know it must log in again rather than retry.
  if (key.expiresAt !== null && key.expiresAt <= deps.now) {
    throw new MailgateError('auth_binding_expired', 'The access key binding has expired; log in again for a new binding');
  }

  let reused = false;
  if (deps.replayProtection) {
    // Only signed requests are remembered, so unsigned noise cannot fill the table or burn ids.
    // Ids are scoped to the key (one client's GUIDs never collide with another's) and kept for
    // the whole window in which their date is still acceptable: skew on either side.
    const fresh = await deps.store.rememberRequestId(`mimecast:${accessKey}:${requestId}`, deps.now, 2 * skewMs);
    if (!fresh && !deps.reuseAnsweredByRoute) throw new MailgateError('auth_replayed', REPLAYED_MESSAGE);
    reused = !fresh;
  }

  const user = await deps.store.getUserById(key.userId);
  // A key whose user was deleted is as good as unknown.
  if (!user) throw new MailgateError('auth_unknown_key');
  return { user, accessKey, appId, ...(reused ? { reusedRequestId: true } : {}) };
}

function requiredHeader(
  headers: MimecastAuthRequest['headers'],
  name: string,
  display: string = name,
): string {
  let value = headers[name];
  if (value === undefined) {
    // Node lowercases header names, but callers outside Fastify may not.
    const found = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
    value = found === undefined ? undefined : headers[found];
  }
  if (Array.isArray(value)) {
    // Two different values for one credential header cannot both be the one that was signed.
    if (new Set(value).size > 1) throw new MailgateError('auth_malformed', `The ${display} header appears more than once`);
    value = value[0];
  }
  if (value === undefined || value.trim() === '') {
    throw new MailgateError('auth_missing', `The ${display} header is missing`, display);
  }
  return value.trim();
}

function openSecret(secrets: SecretBox, sealed: string, owner: string): string {
  try {
    return secrets.open(sealed);
  } catch {
    // Wrong master key or a damaged row: an operator problem, never the caller's.
    throw new MailgateError('internal', `The stored ${owner} secret cannot be decrypted`);
  }
}

/** Constant-time comparison; the length of a base64 HMAC-SHA1 (28) is public, so it may short-circuit. */
function sameText(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
