/** Conversions between identity records (users, API apps and keys, DKIM keys) and table rows. */
import type { ApiAppRecord, ApiKeyRecord, DkimKeyRecord, UserRecord } from '../core/storage/store.js';
import type { Row, Selected } from './row-types.js';

/** The case-insensitive lookup key of an address (users.email_key). */
export const emailKey = (email: string): string => email.trim().toLowerCase();

export const userRow = (u: UserRecord): Row<'users'> => ({
  id: u.id,
  // The spelling the user was created with; matching goes through email_key (migration 0012).
  email: u.email,
  email_key: emailKey(u.email),
  name: u.name,
  roles: JSON.stringify(u.roles),
  created_at: u.createdAt,
  removed_at: null,
});
export const toUser = (r: Selected<'users'>): UserRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  roles: JSON.parse(r.roles) as string[],
  createdAt: Number(r.created_at),
});

export const apiAppRow = (a: ApiAppRecord): Row<'api_apps'> => ({
  app_id: a.appId,
  app_key_enc: a.appKeyEnc,
  name: a.name,
  created_at: a.createdAt,
});
export const toApiApp = (r: Selected<'api_apps'>): ApiAppRecord => ({
  appId: r.app_id,
  appKeyEnc: r.app_key_enc,
  name: r.name,
  createdAt: Number(r.created_at),
});

export const apiKeyRow = (k: ApiKeyRecord): Row<'api_keys'> => ({
  access_key: k.accessKey,
  secret_key_enc: k.secretKeyEnc,
  app_id: k.appId,
  user_id: k.userId,
  expires_at: k.expiresAt,
  created_at: k.createdAt,
  revoked_at: k.revokedAt ?? null,
});
export const toApiKey = (r: Selected<'api_keys'>): ApiKeyRecord => ({
  accessKey: r.access_key,
  secretKeyEnc: r.secret_key_enc,
  appId: r.app_id,
  userId: r.user_id,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  createdAt: Number(r.created_at),
  ...(r.revoked_at === null ? {} : { revokedAt: Number(r.revoked_at) }),
});

export const dkimRow = (k: DkimKeyRecord): Row<'dkim_keys'> => ({
  domain: k.domain.toLowerCase(),
  selector: k.selector,
  algorithm: k.algorithm,
  private_key_enc: k.privateKeyEnc,
  public_key: k.publicKey,
  created_at: k.createdAt,
});
export const toDkimKey = (r: Selected<'dkim_keys'>): DkimKeyRecord => ({
  domain: r.domain,
  selector: r.selector,
  algorithm: r.algorithm as DkimKeyRecord['algorithm'],
  privateKeyEnc: r.private_key_enc,
  publicKey: r.public_key,
  createdAt: Number(r.created_at),
});
