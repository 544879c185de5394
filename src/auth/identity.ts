/** Creating principals and their credentials; used by the CLI and the admin API alike. */
import { randomBytes, randomUUID } from 'node:crypto';
import { MailgateError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { assertAddress, assertHeaderText } from '../core/validate.js';
import type { Store, UserRecord } from '../core/storage/store.js';
import { isRole } from './roles.js';
import type { SecretBox } from './secret-box.js';

export interface MimecastKeys {
  appId: string;
  appKey: string;
  accessKey: string;
  secretKey: string;
}

export async function addUser(
  store: Pick<Store, 'getUserByEmail' | 'createUser'>,
  input: { email: string; name?: string; roles?: string[] },
  now = Date.now(),
): Promise<UserRecord> {
  // Kept as written (From: Adele Vance <AdeleV@contoso.com>); the store matches it case-insensitively.
  const email = assertAddress(input.email, 'email');
  const roles = input.roles && input.roles.length > 0 ? input.roles : ['user'];
  for (const role of roles) if (!isRole(role)) throw new MailgateError('invalid_value', `Unknown role "${role}"`, 'role');
  if (await store.getUserByEmail(email)) throw new MailgateError('conflict', `User ${email} already exists`, 'email');
  const user: UserRecord = {
    id: newId(now),
    email,
    name: input.name === undefined ? null : assertHeaderText(input.name, 'name'),
    roles,
    createdAt: now,
  };
  await store.createUser(user);
  return user;
}

export async function requireUser(store: Pick<Store, 'getUserByEmail'>, email: string): Promise<UserRecord> {
  const user = await store.getUserByEmail(email);
  if (!user) throw new MailgateError('not_found', `No user ${email}`, 'user');
  return user;
}

/** A new application and an access/secret key pair bound to the user; the plain secrets are shown once. */
/** 32 base64url characters, never starting with `-`: a key is passed on command lines (`keys revoke <accessKey>`), where it would read as an option. */
function newAccessKey(): string {
  for (;;) {
    const key = randomBytes(24).toString('base64url');
    if (!key.startsWith('-')) return key;
  }
}

export async function createMimecastKeys(
  store: Pick<Store, 'getUserByEmail' | 'createApiApp' | 'createApiKey'>,
  secrets: SecretBox,
  input: { email: string; appName?: string; expiresAt?: number | null },
  now = Date.now(),
): Promise<MimecastKeys> {
  const user = await requireUser(store, input.email);
  const keys: MimecastKeys = {
    appId: randomUUID(),
    appKey: randomUUID(),
    accessKey: newAccessKey(),
    // Clients base64-decode the secret to get the HMAC key.
    secretKey: randomBytes(32).toString('base64'),
  };
  await store.createApiApp({
    appId: keys.appId,
    appKeyEnc: secrets.seal(keys.appKey),
    name: input.appName ?? `keys for ${user.email}`,
    createdAt: now,
  });
  await store.createApiKey({
    accessKey: keys.accessKey,
    secretKeyEnc: secrets.seal(keys.secretKey),
    appId: keys.appId,
    userId: user.id,
    expiresAt: input.expiresAt ?? null,
    createdAt: now,
  });
  return keys;
}
