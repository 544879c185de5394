/**
 * Renders core errors in Mimecast API 1.0's shape. The vendor names come from real client code
 * where known (err_xdk_invalid_signature, err_xdk_binding_expired, err_xdk_forbidden,
 * err_xdk_operation_forbidden_for_address, err_validation_null/blank/invalid_email_address);
 * the rest follow the same pattern: `err_validation_*` for a 400 about an input field,
 * `err_xdk_*` for everything about the request as a whole, the caller or the platform.
 */
import type { ErrorCode, MailgateError } from '../../core/errors.js';

/** One entry of a fail item's `errors` list, as Mimecast sends it. */
export interface MimecastErrorEntry {
  code: string;
  message: string;
  retryable: boolean;
  field?: string;
}

/** A `fail` list item: the input that failed (when there was one) and why. */
export interface MimecastFailItem {
  key?: unknown;
  errors: MimecastErrorEntry[];
}

/** The envelope of every Mimecast response. */
export interface MimecastEnvelope {
  meta: { status: number };
  data: unknown[];
  fail: unknown[];
}

interface VendorError {
  code: string;
  /**
   * Auth errors carry a numbered "NNNN Text" message, as Mimecast's do. Only 0004 Invalid
   * Signature is known from the vendor; the other numbers are ours, in the order the check runs,
   * and must never be renumbered once shipped because clients match on them.
   */
  number?: string;
  /** A fixed vendor text; when absent the core error's own message is used. */
  text?: string;
}

/** Every core code has a vendor rendering; `satisfies` makes a new core code fail to compile here. */
export const MIMECAST_ERRORS = {
  auth_missing: { code: 'err_xdk_missing_authorization', number: '0001' },
  auth_malformed: { code: 'err_xdk_malformed_authorization', number: '0002' },
  auth_unknown_key: { code: 'err_xdk_unknown_access_key', number: '0003' },
  auth_invalid_signature: { code: 'err_xdk_invalid_signature', number: '0004', text: 'Invalid Signature' },
  auth_unknown_app: { code: 'err_xdk_invalid_application', number: '0005' },
  auth_bad_date: { code: 'err_xdk_invalid_date', number: '0006' },
  auth_stale_date: { code: 'err_xdk_date_out_of_range', number: '0007' },
  auth_replayed: { code: 'err_xdk_duplicate_request_id', number: '0008' },
  auth_binding_expired: { code: 'err_xdk_binding_expired', number: '0009' },
  // Bearer-token and OAuth failures never reach Mimecast's HMAC auth; rendered like its other auth errors.
  auth_invalid_token: { code: 'err_xdk_invalid_token', number: '0010' },
  auth_token_expired: { code: 'err_xdk_token_expired', number: '0011' },
  auth_invalid_client: { code: 'err_xdk_invalid_client', number: '0012' },
  auth_invalid_grant: { code: 'err_xdk_invalid_grant', number: '0013' },
  auth_locked_out: { code: 'err_xdk_too_many_failed_attempts', number: '0014' },
  auth_attempts_exhausted: { code: 'err_xdk_authentication_attempts_exhausted', number: '0015' },
  auth_unavailable: { code: 'err_xdk_authentication_unavailable', number: '0016' },
  relay_denied: { code: 'err_xdk_relay_denied' },
  forbidden: { code: 'err_xdk_forbidden' },
  sender_forbidden: { code: 'err_xdk_operation_forbidden_for_address' },
  malformed_request: { code: 'err_xdk_malformed_request' },
  method_not_allowed: { code: 'err_xdk_method_not_allowed' },
  not_found: { code: 'err_xdk_not_found' },
  too_large: { code: 'err_xdk_request_too_large' },
  conflict: { code: 'err_xdk_conflict' },
  recipient_suppressed: { code: 'err_validation_recipient_suppressed' },
  quota_exceeded: { code: 'err_xdk_quota_exceeded' },
  request_in_progress: { code: 'err_xdk_request_in_progress' },
  idempotency_key_reused: { code: 'err_xdk_idempotency_key_reused' },
  rate_limited: { code: 'err_xdk_rate_limit_exceeded' },
  unavailable: { code: 'err_xdk_service_unavailable' },
  insufficient_storage: { code: 'err_xdk_insufficient_storage' },
  internal: { code: 'err_xdk_internal_error' },
  field_required: { code: 'err_validation_null' },
  field_blank: { code: 'err_validation_blank' },
  invalid_type: { code: 'err_validation_invalid_type' },
  invalid_value: { code: 'err_validation_invalid_value' },
  invalid_address: { code: 'err_validation_invalid_email_address' },
  header_injection: { code: 'err_validation_invalid_header_value' },
  no_recipients: { code: 'err_validation_no_recipients' },
  too_many_recipients: { code: 'err_validation_too_many_recipients' },
  invalid_base64: { code: 'err_validation_invalid_base64' },
  invalid_mime: { code: 'err_validation_invalid_mime' },
  checksum_mismatch: { code: 'err_validation_checksum_mismatch' },
  unknown_file: { code: 'err_xdk_file_not_found' },
} as const satisfies Record<ErrorCode, VendorError>;

/** Renders one core error as a Mimecast error entry. */
export function mimecastErrorEntry(error: MailgateError): MimecastErrorEntry {
  const vendor: VendorError = MIMECAST_ERRORS[error.code];
  const text = vendor.text ?? error.message;
  const entry: MimecastErrorEntry = {
    code: vendor.code,
    message: vendor.number === undefined ? text : `${vendor.number} ${text}`,
    retryable: error.retryable,
  };
  if (error.field !== undefined) entry.field = error.field;
  return entry;
}

/** Builds the `{meta:{status}, data, fail}` envelope every Mimecast response has. */
export function mimecastEnvelope(data: unknown[], fail: unknown[], status = 200): MimecastEnvelope {
  return { meta: { status }, data, fail };
}

/** Builds a `fail` item echoing the input `key` (omitted for whole-request failures such as auth). */
export function mimecastFailure(error: MailgateError, key?: unknown): MimecastFailItem {
  const errors = [mimecastErrorEntry(error)];
  return key === undefined ? { errors } : { key, errors };
}
