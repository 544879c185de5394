import { describe, expect, it } from 'vitest';
import { ERRORS, MailgateError, type ErrorCode } from '../../core/errors.js';
import { MIMECAST_ERRORS, mimecastEnvelope, mimecastErrorEntry, mimecastFailure } from './errors.js';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('mimecastErrorEntry', () => {
  it.each([
    ['auth_invalid_signature', 'err_xdk_invalid_signature'],
    ['auth_binding_expired', 'err_xdk_binding_expired'],
    ['forbidden', 'err_xdk_forbidden'],
    ['sender_forbidden', 'err_xdk_operation_forbidden_for_address'],
    ['field_required', 'err_validation_null'],
    ['field_blank', 'err_validation_blank'],
    ['invalid_address', 'err_validation_invalid_email_address'],
  ] as const)('maps %s to the vendor code real clients know, %s', (ours, theirs) => {
    expect(mimecastErrorEntry(new MailgateError(ours)).code).toBe(theirs);
  });

  it('renders the contract example for a bad signature verbatim, whatever our message says', () => {
    expect(mimecastErrorEntry(new MailgateError('auth_invalid_signature'))).toEqual({
      code: 'err_xdk_invalid_signature',
      message: '0004 Invalid Signature',
      retryable: false,
    });
    expect(mimecastErrorEntry(new MailgateError('auth_invalid_signature', 'HMAC differs')).message).toBe('0004 Invalid Signature');
  });

  it('numbers every auth error uniquely in the "NNNN Text" pattern', () => {
    const auth = codes.filter((code) => code.startsWith('auth_'));
    const messages = auth.map((code) => mimecastErrorEntry(new MailgateError(code)).message);
    for (const message of messages) expect(message).toMatch(/^\d{4} \S/);
    expect(new Set(messages.map((m) => m.slice(0, 4))).size).toBe(auth.length);
    expect(mimecastErrorEntry(new MailgateError('auth_missing', 'The x-mc-date header is missing')).message).toBe(
      '0001 The x-mc-date header is missing',
    );
    expect(mimecastErrorEntry(new MailgateError('auth_binding_expired')).message).toBe('0009 The access key binding has expired');
  });

  it('gives every core code a distinct vendor code in the err_xdk_/err_validation_ families', () => {
    const vendor = codes.map((code) => MIMECAST_ERRORS[code].code);
    expect(new Set(vendor).size).toBe(codes.length);
    for (const code of vendor) expect(code).toMatch(/^err_(xdk|validation)_[a-z0-9_]+$/);
    // Input problems (400s other than unparseable bodies) are validation errors, the rest are xdk.
    for (const code of codes) {
      const isValidation = ERRORS[code].http === 400 && code !== 'malformed_request';
      expect(MIMECAST_ERRORS[code].code.startsWith(isValidation ? 'err_validation_' : 'err_xdk_'), code).toBe(true);
    }
  });

  it('numbers only auth errors', () => {
    expect(mimecastErrorEntry(new MailgateError('invalid_address', 'bob@ is not an address', 'to[0].emailAddress'))).toEqual({
      code: 'err_validation_invalid_email_address',
      message: 'bob@ is not an address',
      retryable: false,
      field: 'to[0].emailAddress',
    });
  });

  it('carries retryable from the core error', () => {
    expect(mimecastErrorEntry(new MailgateError('rate_limited')).retryable).toBe(true);
    expect(mimecastErrorEntry(new MailgateError('unavailable')).retryable).toBe(true);
    expect(mimecastErrorEntry(new MailgateError('internal')).retryable).toBe(true);
    expect(mimecastErrorEntry(new MailgateError('conflict')).retryable).toBe(false);
  });
});

describe('envelopes', () => {
  it('builds the 401 body of the contract', () => {
    const error = new MailgateError('auth_invalid_signature');
    expect(mimecastEnvelope([], [mimecastFailure(error)], error.httpStatus)).toEqual({
      meta: { status: 401 },
      data: [],
      fail: [{ errors: [{ code: 'err_xdk_invalid_signature', message: '0004 Invalid Signature', retryable: false }] }],
    });
    expect(JSON.stringify(mimecastEnvelope([], [mimecastFailure(error)], 401))).toBe(
      '{"meta":{"status":401},"data":[],"fail":[{"errors":[{"code":"err_xdk_invalid_signature","message":"0004 Invalid Signature","retryable":false}]}]}',
    );
  });

  it('echoes the failed input item as key, and defaults the status to 200', () => {
    const item = { to: [{ emailAddress: 'bob@' }] };
    const failure = mimecastFailure(new MailgateError('invalid_address', 'Invalid email address', 'to[0].emailAddress'), item);
    expect(mimecastEnvelope([{ messageId: '<a@b>' }], [failure])).toEqual({
      meta: { status: 200 },
      data: [{ messageId: '<a@b>' }],
      fail: [
        {
          key: item,
          errors: [
            { code: 'err_validation_invalid_email_address', message: 'Invalid email address', retryable: false, field: 'to[0].emailAddress' },
          ],
        },
      ],
    });
    expect(Object.keys(mimecastFailure(new MailgateError('forbidden')))).toEqual(['errors']);
  });
});
