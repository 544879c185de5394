/**
 * The token endpoints' error table: each core code (narrowed by the field at fault where OAuth
 * tells them apart) with its RFC 6749 5.2 name and status, and the AADSTS number and status Entra
 * ID answers for the same failure (Graph's token endpoint; docs/vendor-apis.md#oauth-tokens).
 */
import type { ErrorCode, MailgateError } from '../core/errors.js';

export interface OAuthAnswer {
  status: number;
  error: string;
}

interface OAuthRule {
  code: ErrorCode;
  /** Matches only this field; absent = any. */
  field?: string;
  oauth: OAuthAnswer;
  entra: OAuthAnswer & { aadsts: number };
}

const RULES: readonly OAuthRule[] = [
  // Entra tells an unknown application (700016) from a wrong secret (7000215).
  { code: 'auth_invalid_client', field: 'client_id', oauth: { status: 401, error: 'invalid_client' }, entra: { status: 400, error: 'unauthorized_client', aadsts: 700016 } },
  { code: 'auth_invalid_client', oauth: { status: 401, error: 'invalid_client' }, entra: { status: 401, error: 'invalid_client', aadsts: 7000215 } },
  { code: 'auth_invalid_grant', field: 'refresh_token', oauth: { status: 400, error: 'invalid_grant' }, entra: { status: 400, error: 'invalid_grant', aadsts: 9002313 } },
  { code: 'auth_invalid_grant', oauth: { status: 400, error: 'invalid_grant' }, entra: { status: 400, error: 'invalid_grant', aadsts: 50126 } },
  { code: 'forbidden', oauth: { status: 400, error: 'invalid_request' }, entra: { status: 400, error: 'invalid_grant', aadsts: 65001 } },
  // RFC 6749 has no lockout error: the failure keeps its name, and 429 with Retry-After says "later".
  // Entra answers a locked account with AADSTS50053, as the error of whatever was locked.
  { code: 'auth_locked_out', field: 'client_secret', oauth: { status: 429, error: 'invalid_client' }, entra: { status: 401, error: 'invalid_client', aadsts: 50053 } },
  { code: 'auth_locked_out', oauth: { status: 429, error: 'invalid_grant' }, entra: { status: 400, error: 'invalid_grant', aadsts: 50053 } },
  { code: 'field_required', oauth: { status: 400, error: 'invalid_request' }, entra: { status: 400, error: 'invalid_request', aadsts: 900144 } },
  { code: 'invalid_value', field: 'grant_type', oauth: { status: 400, error: 'unsupported_grant_type' }, entra: { status: 400, error: 'unsupported_grant_type', aadsts: 70003 } },
  { code: 'invalid_value', field: 'scope', oauth: { status: 400, error: 'invalid_scope' }, entra: { status: 400, error: 'invalid_scope', aadsts: 70011 } },
  // Client credentials take only `{resource}/.default`.
  { code: 'invalid_value', field: 'scope.default', oauth: { status: 400, error: 'invalid_scope' }, entra: { status: 400, error: 'invalid_scope', aadsts: 1002012 } },
  { code: 'invalid_value', field: 'tenant', oauth: { status: 400, error: 'invalid_request' }, entra: { status: 400, error: 'invalid_request', aadsts: 90002 } },
  { code: 'invalid_value', oauth: { status: 400, error: 'invalid_request' }, entra: { status: 400, error: 'invalid_request', aadsts: 900144 } },
  { code: 'internal', oauth: { status: 500, error: 'server_error' }, entra: { status: 500, error: 'server_error', aadsts: 50000 } },
  { code: 'unavailable', oauth: { status: 500, error: 'server_error' }, entra: { status: 500, error: 'server_error', aadsts: 50000 } },
  // A full disk is temporary: RFC 6749 4.1.2.1's temporarily_unavailable, 503 with Retry-After.
  { code: 'insufficient_storage', oauth: { status: 503, error: 'temporarily_unavailable' }, entra: { status: 503, error: 'temporarily_unavailable', aadsts: 50000 } },
];

const FALLBACK: OAuthRule = { code: 'malformed_request', oauth: { status: 400, error: 'invalid_request' }, entra: { status: 400, error: 'invalid_request', aadsts: 90014 } };

function ruleFor(error: MailgateError): OAuthRule {
  return RULES.find((r) => r.code === error.code && (r.field === undefined || r.field === error.field)) ?? FALLBACK;
}

/** RFC 6749 5.2's error name and status for a failure. */
export function oauthAnswer(error: MailgateError): OAuthAnswer {
  return ruleFor(error).oauth;
}

/** Entra ID's answer for a failure, with its AADSTS number. */
export function entraAnswer(error: MailgateError): OAuthAnswer & { aadsts: number } {
  return ruleFor(error).entra;
}
