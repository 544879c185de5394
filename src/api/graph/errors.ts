/**
 * Renders core errors in Microsoft Graph's shape (docs/vendor-apis.md#microsoft-graph):
 * `{"error":{"code","message","innerError":{"request-id","date","client-request-id"}}}`.
 * Codes are Graph's own where the vendor documents them; a few depend on the offending field.
 */
import type { ErrorCode, MailgateError } from '../../core/errors.js';
import type { GraphRequestIds } from './request-ids.js';

interface VendorError {
  code: string;
  /** Graph answers some failures with another status than the core's (docs/vendor-apis.md lists them). */
  status?: number;
}

/** Every core code has a Graph rendering; `satisfies` makes a new core code fail to compile here. */
export const GRAPH_ERRORS = {
  auth_missing: { code: 'InvalidAuthenticationToken' },
  auth_malformed: { code: 'InvalidAuthenticationToken' },
  auth_unknown_key: { code: 'InvalidAuthenticationToken' },
  auth_invalid_signature: { code: 'InvalidAuthenticationToken' },
  auth_unknown_app: { code: 'InvalidAuthenticationToken' },
  auth_bad_date: { code: 'InvalidAuthenticationToken' },
  auth_stale_date: { code: 'InvalidAuthenticationToken' },
  auth_replayed: { code: 'InvalidAuthenticationToken' },
  auth_binding_expired: { code: 'InvalidAuthenticationToken', status: 401 },
  auth_invalid_token: { code: 'InvalidAuthenticationToken' },
  auth_token_expired: { code: 'InvalidAuthenticationToken' },
  auth_invalid_client: { code: 'InvalidAuthenticationToken' },
  auth_invalid_grant: { code: 'InvalidAuthenticationToken' },
  auth_locked_out: { code: 'ApplicationThrottled' },
  auth_attempts_exhausted: { code: 'ApplicationThrottled' },
  auth_unavailable: { code: 'ServiceNotAvailable' },
  relay_denied: { code: 'ErrorAccessDenied' },
  forbidden: { code: 'ErrorAccessDenied' },
  sender_forbidden: { code: 'ErrorSendAsDenied' },
  malformed_request: { code: 'RequestBodyRead' },
  method_not_allowed: { code: 'Request_BadRequest' },
  not_found: { code: 'ErrorItemNotFound' },
  too_large: { code: 'ErrorMessageSizeExceeded', status: 400 },
  conflict: { code: 'ErrorIrresolvableConflict' },
  recipient_suppressed: { code: 'ErrorInvalidRecipients' },
  quota_exceeded: { code: 'ErrorQuotaExceeded' },
  request_in_progress: { code: 'ErrorIrresolvableConflict' },
  idempotency_key_reused: { code: 'ErrorInvalidRequest' },
  rate_limited: { code: 'ApplicationThrottled' },
  unavailable: { code: 'ServiceNotAvailable' },
  insufficient_storage: { code: 'ServiceNotAvailable' },
  internal: { code: 'InternalServerError' },
  field_required: { code: 'ErrorInvalidRequest' },
  field_blank: { code: 'ErrorInvalidRequest' },
  invalid_type: { code: 'RequestBodyRead' },
  invalid_value: { code: 'ErrorInvalidRequest' },
  invalid_address: { code: 'ErrorInvalidRecipients' },
  header_injection: { code: 'ErrorInvalidRequest' },
  no_recipients: { code: 'ErrorInvalidRecipients' },
  too_many_recipients: { code: 'ErrorTooManyRecipients' },
  invalid_base64: { code: 'ErrorMimeContentInvalidBase64String' },
  invalid_mime: { code: 'ErrorMimeContentInvalidBase64String' },
  checksum_mismatch: { code: 'ErrorInvalidRequest' },
  unknown_file: { code: 'ErrorItemNotFound' },
} as const satisfies Record<ErrorCode, VendorError>;

/** Graph names some failures after the field at fault rather than the kind of failure. */
const BY_FIELD: Array<{ code: ErrorCode; field: RegExp; vendor: VendorError }> = [
  { code: 'invalid_value', field: /^internetMessageHeaders$/, vendor: { code: 'InvalidInternetMessageHeaderCollection' } },
  { code: 'invalid_value', field: /^internetMessageHeaders\[\d+\]\.name$/, vendor: { code: 'ErrorInvalidInternetMessageHeader' } },
  { code: 'invalid_value', field: /^url$/, vendor: { code: 'BadRequest' } },
  { code: 'invalid_base64', field: /^attachments/, vendor: { code: 'ErrorInvalidRequest' } },
  { code: 'invalid_base64', field: /^contentBytes$/, vendor: { code: 'ErrorInvalidRequest' } },
  { code: 'invalid_address', field: /^(from|sender)/, vendor: { code: 'ErrorInvalidFromAddress' } },
];

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

/** The vendor code and HTTP status for a core error. */
export function graphError(error: MailgateError): { code: string; status: number } {
  const special = error.field === undefined ? undefined : BY_FIELD.find((b) => b.code === error.code && b.field.test(error.field as string));
  const vendor: VendorError = special?.vendor ?? GRAPH_ERRORS[error.code];
  return { code: vendor.code, status: vendor.status ?? error.httpStatus };
}

/** The error body; its ids are the response headers' (src/api/graph/request-ids.ts). */
export function graphErrorBody(error: MailgateError, ids: GraphRequestIds): GraphErrorBody {
  // Graph's innerError.date has no fractional seconds.
  const date = new Date().toISOString().replace(/\.\d{3}Z$/, '');
  return {
    error: {
      code: graphError(error).code,
      message: error.message,
      innerError: { date, 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId },
    },
  };
}
