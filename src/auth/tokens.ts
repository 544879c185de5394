/**
 * Signed JWT access tokens (RFC 9068 claim names) for the OAuth dialects. The signing key pair is
 * generated on first use, its private half sealed by the secret box and stored, so every process
 * sharing the database signs and verifies with the same keys; verification finds keys by `kid`.
 */
import { SignJWT, decodeProtectedHeader, errors, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import { MailgateError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/ports.js';
import type { OAuthStore, SigningKeyRecord } from '../core/storage/oauth-store.js';
import type { SecretBox } from './secret-box.js';

const ALGORITHM = 'ES256';
// RFC 9068 2.1: access tokens are typed so an ID token can never be replayed as one.
const TOKEN_TYPE = 'at+jwt';

/** What a token says about its bearer. */
export interface AccessTokenClaims {
  issuer: string;
  /** The API the token is for; a dialect accepts only its own audience. */
  audience: string;
  /** The user for delegated tokens, the client id for app-only tokens. */
  subject: string;
  tenant: string;
  clientId: string;
  /** Set for delegated tokens: the signed-in user. */
  userId?: string;
  /** Delegated permissions (`scope`). */
  scopes: string[];
  /** Application permissions (`roles`). */
  roles: string[];
  issuedAt: number;
  expiresAt: number;
  tokenId: string;
}

export type NewAccessToken = Omit<AccessTokenClaims, 'issuedAt' | 'expiresAt' | 'tokenId'> & { lifetimeSeconds: number };

export interface TokenService {
  issue(input: NewAccessToken): Promise<{ token: string; claims: AccessTokenClaims }>;
  /**
   * Verifies signature, type, audience, issuer and expiry, and that the token's app has not been
   * revoked; `auth_token_expired` or `auth_invalid_token` otherwise.
   */
  verify(token: string, expected: { audience: string; issuer: string }): Promise<AccessTokenClaims>;
}

export interface TokenServiceDeps {
  store: Pick<OAuthStore, 'putSigningKey' | 'getSigningKey' | 'newestSigningKey' | 'getOAuthClient'>;
  secrets: SecretBox;
  clock: Clock;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

async function generateSigningKey(secrets: SecretBox, now: number): Promise<SigningKeyRecord> {
  const pair = await generateKeyPair(ALGORITHM, { extractable: true });
  return {
    kid: newId(now),
    algorithm: ALGORITHM,
    privateKeyEnc: secrets.seal(await exportPKCS8(pair.privateKey)),
    publicJwk: { ...(await exportJWK(pair.publicKey)), alg: ALGORITHM, use: 'sig' },
    createdAt: now,
  };
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { store, secrets, clock } = deps;
  let signing: Promise<SigningKey> | undefined;
  const publicKeys = new Map<string, Promise<CryptoKey | undefined>>();

  async function loadSigningKey(): Promise<SigningKey> {
    let record = await store.newestSigningKey();
    if (!record) {
      await store.putSigningKey(await generateSigningKey(secrets, clock.now()));
      // Re-read: when processes race on first use, all of them settle on the same newest key.
      record = await store.newestSigningKey();
      if (!record) throw new MailgateError('internal', 'The token signing key could not be stored');
    }
    let pem: string;
    try {
      pem = secrets.open(record.privateKeyEnc);
    } catch {
      throw new MailgateError('internal', 'The stored token signing key cannot be decrypted');
    }
    return { kid: record.kid, privateKey: await importPKCS8(pem, record.algorithm) };
  }

  function publicKey(kid: string): Promise<CryptoKey | undefined> {
    let found = publicKeys.get(kid);
    if (!found) {
      found = store.getSigningKey(kid).then(async (record) => {
        if (!record) return undefined;
        return (await importJWK(record.publicJwk, record.algorithm)) as CryptoKey;
      });
      // A failed lookup is not cached: the key may be stored by another process a moment later.
      found.then((key) => key ?? publicKeys.delete(kid), () => publicKeys.delete(kid));
      publicKeys.set(kid, found);
    }
    return found;
  }

  return {
    async issue(input) {
      signing ??= loadSigningKey().catch((error: unknown) => {
        signing = undefined;
        throw error;
      });
      const key = await signing;
      const issuedAt = Math.floor(clock.now() / 1000);
      const claims: AccessTokenClaims = {
        issuer: input.issuer,
        audience: input.audience,
        subject: input.subject,
        tenant: input.tenant,
        clientId: input.clientId,
        scopes: input.scopes,
        roles: input.roles,
        issuedAt,
        expiresAt: issuedAt + input.lifetimeSeconds,
        tokenId: randomUUID(),
        ...(input.userId === undefined ? {} : { userId: input.userId }),
      };
      const payload: Record<string, unknown> = { tid: claims.tenant, client_id: claims.clientId };
      if (claims.userId !== undefined) payload.uid = claims.userId;
      if (claims.scopes.length > 0) payload.scope = claims.scopes.join(' ');
      if (claims.roles.length > 0) payload.roles = claims.roles;
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE, kid: key.kid })
        .setIssuer(claims.issuer)
        .setAudience(claims.audience)
        .setSubject(claims.subject)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(claims.expiresAt)
        .setJti(claims.tokenId)
        .sign(key.privateKey);
      return { token, claims };
    },

    async verify(token, expected) {
      let kid: string | undefined;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        throw new MailgateError('auth_invalid_token', 'The access token is not a JWT');
      }
      const key = kid === undefined ? undefined : await publicKey(kid);
      if (!key) throw new MailgateError('auth_invalid_token', 'The access token was not signed by this gateway');
      const claims = await verifiedClaims(token, key, expected);
      // Revoking an app ends its unexpired tokens too, at the cost of one lookup per call (docs/identities.md).
      if ((await store.getOAuthClient(claims.clientId))?.revokedAt !== undefined) {
        throw new MailgateError('auth_invalid_token', 'The application of this access token has been revoked');
      }
      return claims;
    },
  };

  /** Signature, type, audience, issuer and expiry, as claims. */
  async function verifiedClaims(token: string, key: CryptoKey, expected: { audience: string; issuer: string }): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        typ: TOKEN_TYPE,
        audience: expected.audience,
        issuer: expected.issuer,
        currentDate: new Date(clock.now()),
        requiredClaims: ['sub', 'exp', 'iat', 'tid', 'client_id'],
      });
      const claims: AccessTokenClaims = {
        issuer: payload.iss as string,
        audience: expected.audience,
        subject: payload.sub as string,
        tenant: String(payload.tid),
        clientId: String(payload.client_id),
        scopes: stringList(payload.scope),
        roles: stringList(payload.roles),
        issuedAt: payload.iat as number,
        expiresAt: payload.exp as number,
        tokenId: String(payload.jti ?? ''),
      };
      if (typeof payload.uid === 'string') claims.userId = payload.uid;
      return claims;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new MailgateError('auth_token_expired', 'Lifetime validation failed, the token is expired');
      if (error instanceof errors.JWTClaimValidationFailed) {
        throw new MailgateError('auth_invalid_token', `Access token validation failure: ${error.claim} is not valid`);
      }
      throw new MailgateError('auth_invalid_token', 'Access token validation failure: invalid signature or format');
    }
  }
}
