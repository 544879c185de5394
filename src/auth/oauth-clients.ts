/** OAuth client applications: created with a random secret that is shown once and stored only hashed. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { MailgateError } from '../core/errors.js';
import { assertHeaderText } from '../core/validate.js';
import type { OAuthClientRecord, OAuthStore } from '../core/storage/oauth-store.js';

/** Application permissions an app can hold; each dialect checks the ones its routes need. */
export const APP_PERMISSIONS: readonly string[] = ['Mail.Send', 'Mail.ReadWrite', 'Mail.Read'];

export interface CreatedClient {
  clientId: string;
  clientSecret: string;
  record: OAuthClientRecord;
}

/**
 * Client secrets are 256 random bits, so a fast hash is as safe as a slow one and keeps the token
 * endpoint cheap; passwords, which people choose, get scrypt instead (passwords.ts).
 */
export function hashClientSecret(secret: string): string {
  return 'sha256$' + createHash('sha256').update(secret, 'utf8').digest('base64');
}

export async function createOAuthClient(
  store: Pick<OAuthStore, 'createOAuthClient'>,
  input: { name: string; permissions: readonly string[]; userId?: string },
  now = Date.now(),
): Promise<CreatedClient> {
  const name = assertHeaderText(input.name, 'name').trim();
  if (name === '') throw new MailgateError('field_blank', 'The app needs a name', 'name');
  const permissions = [...new Set(input.permissions)];
  for (const p of permissions) {
    if (!APP_PERMISSIONS.includes(p)) {
      throw new MailgateError('invalid_value', `Unknown permission "${p}" (known: ${APP_PERMISSIONS.join(', ')})`, 'permission');
    }
  }
  const clientId = randomUUID();
  // Azure secrets are ~40 URL-safe characters; clients paste them into config files and URLs.
  const clientSecret = randomBytes(32).toString('base64url');
  const record: OAuthClientRecord = { clientId, name, secretHash: hashClientSecret(clientSecret), permissions, createdAt: now };
  if (input.userId !== undefined) record.userId = input.userId;
  await store.createOAuthClient(record);
  return { clientId, clientSecret, record };
}

/** The client with this id, checked against `secret` when one is given; `auth_invalid_client` otherwise. */
export async function authenticateClient(
  store: Pick<OAuthStore, 'getOAuthClient'>,
  clientId: string,
  secret: string | undefined,
): Promise<OAuthClientRecord> {
  const client = await store.getOAuthClient(clientId);
  // A revoked app is as unknown as one never registered: it gets no more tokens (docs/identities.md).
  if (!client || client.revokedAt !== undefined) throw new MailgateError('auth_invalid_client', `Application with identifier '${clientId}' was not found`, 'client_id');
  if (secret === undefined) return client;
  const given = Buffer.from(hashClientSecret(secret));
  const expected = Buffer.from(client.secretHash);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new MailgateError('auth_invalid_client', 'Invalid client secret provided', 'client_secret');
  }
  return client;
}

/**
 * Each token endpoint serves only its own kind of app: a Mimecast API 2.0 application is bound to
 * a user and acts with that user's roles; a Graph or LINE WORKS app is not. An app presented at the
 * other kind's endpoint is as unknown there as a missing one (checked after its secret, so the
 * answer tells nothing to someone without it).
 */
export function assertClientKind(client: OAuthClientRecord, kind: 'user-bound' | 'app'): OAuthClientRecord {
  if ((client.userId !== undefined) !== (kind === 'user-bound')) {
    throw new MailgateError('auth_invalid_client', `Application with identifier '${client.clientId}' was not found`, 'client_id');
  }
  return client;
}
