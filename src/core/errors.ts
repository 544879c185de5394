/**
 * The one error table. Every failure the gateway reports has a stable code here, with the HTTP
 * status and SMTP reply it maps to. Dialects translate these codes into their vendor's names and
 * body shape; they never invent codes of their own.
 */
export const ERRORS = {
  malformed_request: { http: 400, smtp: '500 5.5.2', message: 'The request body could not be parsed' },
  field_required: { http: 400, smtp: '501 5.5.4', message: 'A required field is missing' },
  field_blank: { http: 400, smtp: '501 5.5.4', message: 'A required field is blank' },
  invalid_type: { http: 400, smtp: '501 5.5.4', message: 'A field has the wrong type' },
  invalid_value: { http: 400, smtp: '501 5.5.4', message: 'A field has an invalid value' },
  invalid_address: { http: 400, smtp: '553 5.1.3', message: 'Invalid email address' },
  header_injection: { http: 400, smtp: '554 5.6.0', message: 'Line breaks are not allowed in this field' },
  no_recipients: { http: 400, smtp: '554 5.5.1', message: 'The message has no recipients' },
  too_many_recipients: { http: 400, smtp: '452 4.5.3', message: 'Too many recipients' },
  invalid_base64: { http: 400, smtp: '501 5.5.4', message: 'Invalid base64 content' },
  invalid_mime: { http: 400, smtp: '554 5.6.0', message: 'The MIME content is invalid' },
  checksum_mismatch: { http: 400, smtp: '554 5.6.0', message: 'The content does not match its declared size or checksum' },
  too_large: { http: 413, smtp: '552 5.3.4', message: 'The request is larger than allowed' },
  unknown_file: { http: 404, smtp: '554 5.6.0', message: 'No uploaded file has that id' },
  not_found: { http: 404, smtp: '550 5.1.1', message: 'Not found' },
  method_not_allowed: { http: 405, smtp: '502 5.5.1', message: 'Method not allowed' },
  auth_missing: { http: 401, smtp: '530 5.7.0', message: 'Authentication required' },
  auth_malformed: { http: 401, smtp: '535 5.7.8', message: 'The authorization header is malformed' },
  auth_invalid_signature: { http: 401, smtp: '535 5.7.8', message: 'Invalid Signature' },
  auth_unknown_key: { http: 401, smtp: '535 5.7.8', message: 'Unknown access key' },
  auth_unknown_app: { http: 401, smtp: '535 5.7.8', message: 'Unknown or mismatched application id' },
  auth_bad_date: { http: 401, smtp: '535 5.7.8', message: 'The request date is missing or invalid' },
  auth_stale_date: { http: 401, smtp: '535 5.7.8', message: 'The request date is outside the allowed clock skew' },
  auth_replayed: { http: 401, smtp: '535 5.7.8', message: 'This request id has already been used' },
  auth_binding_expired: { http: 418, smtp: '535 5.7.8', message: 'The access key binding has expired' },
  auth_invalid_token: { http: 401, smtp: '535 5.7.8', message: 'The access token is invalid' },
  auth_token_expired: { http: 401, smtp: '535 5.7.8', message: 'The access token has expired' },
  auth_invalid_client: { http: 401, smtp: '535 5.7.8', message: 'Unknown client or wrong client secret' },
  auth_invalid_grant: { http: 401, smtp: '535 5.7.8', message: 'The user name, password or grant is not valid' },
  // RFC 4954 6: 454 4.7.0 is the temporary authentication failure; HTTP 429 carries Retry-After.
  auth_locked_out: { http: 429, smtp: '454 4.7.0', message: 'Too many failed sign-in attempts; try again later' },
  // RFC 4954 6: a server may close the connection after repeated AUTH failures (421).
  auth_attempts_exhausted: { http: 429, smtp: '421 4.7.0', message: 'Too many failed authentication attempts, closing connection' },
  auth_unavailable: { http: 503, smtp: '454 4.7.0', message: 'Temporary authentication failure' },
  // RFC 5321 7.1: mail for other domains only from authenticated clients.
  relay_denied: { http: 403, smtp: '554 5.7.1', message: 'Relay access denied' },
  forbidden: { http: 403, smtp: '550 5.7.1', message: 'The caller lacks the permission for this operation' },
  sender_forbidden: { http: 403, smtp: '550 5.7.1', message: 'Not allowed to send as this address' },
  conflict: { http: 409, smtp: '451 4.3.0', message: 'Conflict' },
  // docs/bounces.md: refused before queuing because an earlier message to the address bounced permanently.
  recipient_suppressed: { http: 400, smtp: '550 5.1.1', message: 'The recipient is on the suppression list' },
  // 507 Insufficient Storage: the caller's own allowance is used up; retrying without freeing some cannot help.
  quota_exceeded: { http: 507, smtp: '452 4.3.1', message: 'The upload quota is used up' },
  // Idempotent retries (docs/retries.md): the first request with this key is still running.
  request_in_progress: { http: 409, smtp: '451 4.3.0', message: 'A request with this key is still in progress; retry later' },
  // The IETF Idempotency-Key draft: a key reused with another payload is 422.
  idempotency_key_reused: { http: 422, smtp: '554 5.5.0', message: 'This idempotency key was already used with a different request' },
  rate_limited: { http: 429, smtp: '451 4.7.1', message: 'Rate limit exceeded' },
  unavailable: { http: 503, smtp: '421 4.3.2', message: 'Service temporarily unavailable' },
  // The data dir (or the database) is full: temporary, as Postfix answers (docs/full-disk.md).
  insufficient_storage: { http: 503, smtp: '452 4.3.1', message: 'Insufficient system storage' },
  internal: { http: 500, smtp: '451 4.3.0', message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** A failure with a stable code from the table; `field` names the offending input, when known. */
export class MailgateError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly httpStatus: number;
  readonly smtpReply: string;

  constructor(code: ErrorCode, message?: string, field?: string) {
    const entry = ERRORS[code];
    super(message ?? entry.message);
    this.name = 'MailgateError';
    this.code = code;
    this.field = field;
    this.httpStatus = entry.http;
    this.smtpReply = entry.smtp;
  }

  /** Temporary conditions a client may retry; everything else is final. */
  get retryable(): boolean {
    return (
      this.code === 'rate_limited' ||
      this.code === 'unavailable' ||
      this.code === 'insufficient_storage' ||
      this.code === 'internal' ||
      this.code === 'request_in_progress'
    );
  }
}

export function isMailgateError(value: unknown): value is MailgateError {
  return value instanceof MailgateError;
}
