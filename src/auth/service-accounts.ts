/**
 * Service accounts for the JWT bearer grant (RFC 7523 2.1), as LINE WORKS issues them: an app gets a
 * key pair whose private half is shown once to its developer, who signs short assertions
 * (`iss` = client id, `sub` = service account id) with it; only the public half is stored.
 */
import { randomBytes } from 'node:crypto';
import { errors, exportJWK, exportPKCS8, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import { MailgateError } from '../core/errors.js';
import type { OAuthGrantStore, ServiceAccountRecord } from '../core/storage/oauth-grant-store.js';

const ALGORITHM = 'RS256';
/** LINE WORKS: an assertion's `exp` may lie at most 60 minutes after its `iat`. */
const MAX_ASSERTION_SECONDS = 3600;

/** Creates (or replaces) the app's service account; the private key PEM is returned once and never stored. */
export async function createServiceAccount(
  store: Pick<OAuthGrantStore, 'putServiceAccount'>,
  clientId: string,
  hostname: string,
  now: number,
): Promise<{ account: ServiceAccountRecord; privateKey: string }> {
  const pair = await generateKeyPair(ALGORITHM, { extractable: true, modulusLength: 2048 });
  const account: ServiceAccountRecord = {
    clientId,
    // The vendor's shape: `<random>.serviceaccount@<domain>`.
    accountId: `${randomBytes(5).toString('hex')}.serviceaccount@${hostname}`,
    publicJwk: { ...(await exportJWK(pair.publicKey)), alg: ALGORITHM, use: 'sig' },
    createdAt: now,
  };
  await store.putServiceAccount(account);
  return { account, privateKey: await exportPKCS8(pair.privateKey) };
}

/** Verifies a JWT bearer assertion of `clientId`'s service account; `auth_invalid_grant` (field `assertion`) otherwise. */
export async function verifyServiceAccountAssertion(
  store: Pick<OAuthGrantStore, 'getServiceAccount'>,
  clientId: string,
  assertion: string,
  now: number,
): Promise<ServiceAccountRecord> {
  const invalid = (why: string) => new MailgateError('auth_invalid_grant', `The assertion is not valid: ${why}`, 'assertion');
  const account = await store.getServiceAccount(clientId);
  if (!account) throw invalid('the client has no service account');
  const key = await importJWK(account.publicJwk as JWK, ALGORITHM);
  try {
    const { payload } = await jwtVerify(assertion, key, {
      algorithms: [ALGORITHM],
      issuer: clientId,
      subject: account.accountId,
      currentDate: new Date(now),
      requiredClaims: ['iat', 'exp'],
    });
    if ((payload.exp as number) - (payload.iat as number) > MAX_ASSERTION_SECONDS) throw invalid('exp is more than 60 minutes after iat');
    return account;
  } catch (error) {
    if (error instanceof MailgateError) throw error;
    if (error instanceof errors.JWTExpired) throw invalid('it has expired');
    if (error instanceof errors.JWTClaimValidationFailed) throw invalid(`${error.claim} does not match`);
    throw invalid('bad signature or format');
  }
}
