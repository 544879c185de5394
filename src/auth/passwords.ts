/**
 * User passwords for the resource-owner grants of the OAuth dialects: scrypt-hashed with a random
 * salt, stored as `scrypt$N$r$p$salt$hash`, never logged or kept in the clear.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { MailgateError } from '../core/errors.js';
import type { OAuthStore } from '../core/storage/oauth-store.js';
import type { Store, UserRecord } from '../core/storage/store.js';

// Node's documented interactive-login parameters: 16 MiB of memory, tens of milliseconds per hash.
const COST = { N: 16_384, r: 8, p: 1 };
const KEY_BYTES = 32;
const MIN_LENGTH = 8;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Hashes a password for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches a hash made by hashPassword (with whatever cost it was made with). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const N = Number(n);
  const key = await derive(password, Buffer.from(salt, 'base64'), { N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Refuses passwords too short to be worth hashing. */
export function assertPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || [...password].length < MIN_LENGTH) {
    throw new MailgateError('invalid_value', `A password needs at least ${MIN_LENGTH} characters`, 'password');
  }
}

/** Sets a user's password; refuses ones too short to be worth hashing. */
export async function setUserPassword(store: Pick<OAuthStore, 'setUserPassword'>, userId: string, password: string, now = Date.now()): Promise<void> {
  assertPassword(password);
  await store.setUserPassword(userId, await hashPassword(password), now);
}

// Hashed once, lazily: unknown users are checked against it so they cost as much time as known ones.
let decoy: Promise<string> | undefined;

/** The user with this email and password; `auth_invalid_grant` for any mismatch, without saying which. */
export async function authenticateUser(
  store: Pick<Store, 'getUserByEmail' | 'getUserPassword'>,
  email: string,
  password: string,
): Promise<UserRecord> {
  const user = await store.getUserByEmail(email.trim());
  const stored = user ? await store.getUserPassword(user.id) : undefined;
  decoy ??= hashPassword(randomBytes(16).toString('base64'));
  const ok = await verifyPassword(password, stored ?? (await decoy));
  if (!user || !stored || !ok) throw new MailgateError('auth_invalid_grant', 'The user name or password is incorrect');
  return user;
}
