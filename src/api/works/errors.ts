/**
 * Renders core errors in LINE WORKS' shape (docs/vendor-apis.md#line-works-api-20): `{"code","description"}` with the
 * vendor's codes: 400 BAD_REQUEST / INVALID_PARAMETER / MISSING_PARAMETER / LIMIT_EXCEEDED,
 * 401 UNAUTHORIZED, 403 FORBIDDEN / ACCESS_DENIED, 404 NOT_FOUND, 429 TOO_MANY_REQUESTS,
 * 500 INTERNAL_SERVER_ERROR.
 */
import type { ErrorCode, MailgateError } from '../../core/errors.js';

interface VendorError {
  code: string;
  /** The vendor answers some failures with another status than the core's. */
  status?: number;
}

/** Every core code has a LINE WORKS rendering; `satisfies` makes a new core code fail to compile here. */
export const WORKS_ERRORS = {
  auth_missing: { code: 'UNAUTHORIZED' },
  auth_malformed: { code: 'UNAUTHORIZED' },
  auth_unknown_key: { code: 'UNAUTHORIZED' },
  auth_invalid_signature: { code: 'UNAUTHORIZED' },
  auth_unknown_app: { code: 'UNAUTHORIZED' },
  auth_bad_date: { code: 'UNAUTHORIZED' },
  auth_stale_date: { code: 'UNAUTHORIZED' },
  auth_replayed: { code: 'UNAUTHORIZED' },
  auth_binding_expired: { code: 'UNAUTHORIZED', status: 401 },
  auth_invalid_token: { code: 'UNAUTHORIZED' },
  auth_token_expired: { code: 'UNAUTHORIZED' },
  auth_invalid_client: { code: 'UNAUTHORIZED' },
  auth_invalid_grant: { code: 'UNAUTHORIZED', status: 401 },
  auth_locked_out: { code: 'TOO_MANY_REQUESTS' },
  auth_attempts_exhausted: { code: 'TOO_MANY_REQUESTS' },
  auth_unavailable: { code: 'INTERNAL_SERVER_ERROR' },
  relay_denied: { code: 'FORBIDDEN' },
  forbidden: { code: 'FORBIDDEN' },
  sender_forbidden: { code: 'ACCESS_DENIED' },
  malformed_request: { code: 'BAD_REQUEST' },
  method_not_allowed: { code: 'BAD_REQUEST' },
  not_found: { code: 'NOT_FOUND' },
  // The vendor has no 413: an oversized file or request is a limit, answered 400.
  too_large: { code: 'LIMIT_EXCEEDED', status: 400 },
  conflict: { code: 'BAD_REQUEST' },
  recipient_suppressed: { code: 'INVALID_PARAMETER' },
  quota_exceeded: { code: 'LIMIT_EXCEEDED', status: 400 },
  request_in_progress: { code: 'BAD_REQUEST' },
  idempotency_key_reused: { code: 'INVALID_PARAMETER' },
  rate_limited: { code: 'TOO_MANY_REQUESTS' },
  unavailable: { code: 'INTERNAL_SERVER_ERROR' },
  insufficient_storage: { code: 'INTERNAL_SERVER_ERROR' },
  internal: { code: 'INTERNAL_SERVER_ERROR' },
  field_required: { code: 'MISSING_PARAMETER' },
  field_blank: { code: 'MISSING_PARAMETER' },
  invalid_type: { code: 'INVALID_PARAMETER' },
  invalid_value: { code: 'INVALID_PARAMETER' },
  invalid_address: { code: 'INVALID_PARAMETER' },
  header_injection: { code: 'INVALID_PARAMETER' },
  no_recipients: { code: 'MISSING_PARAMETER' },
  too_many_recipients: { code: 'LIMIT_EXCEEDED' },
  invalid_base64: { code: 'INVALID_PARAMETER' },
  invalid_mime: { code: 'INVALID_PARAMETER' },
  checksum_mismatch: { code: 'INVALID_PARAMETER' },
  unknown_file: { code: 'NOT_FOUND' },
} as const satisfies Record<ErrorCode, VendorError>;

/** Acting on another member's mailbox is ACCESS_DENIED; a token that may not use the API at all is FORBIDDEN. */
const BY_FIELD: Array<{ code: ErrorCode; field: RegExp; vendor: VendorError }> = [{ code: 'forbidden', field: /^userId$/, vendor: { code: 'ACCESS_DENIED' } }];

export interface WorksErrorBody {
  code: string;
  description: string;
}

/** The vendor code and HTTP status for a core error. */
export function worksError(error: MailgateError): { code: string; status: number } {
  const special = error.field === undefined ? undefined : BY_FIELD.find((b) => b.code === error.code && b.field.test(error.field as string));
  const vendor: VendorError = special?.vendor ?? WORKS_ERRORS[error.code];
  return { code: vendor.code, status: vendor.status ?? error.httpStatus };
}

/** The error body: the vendor code and the core message, prefixed with the offending field when it does not name it. */
export function worksErrorBody(error: MailgateError): WorksErrorBody {
  const { field, message } = error;
  const description = field === undefined || message.includes(field) ? message : `${field}: ${message}`;
  return { code: worksError(error).code, description };
}
