import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MailgateError } from './errors.js';
import type { ErrorCode } from './errors.js';
import type { ComposeContent } from './message.js';
import {
  assertAddress,
  assertHeaderName,
  assertHeaderText,
  sanitizeFilename,
  validateComposeContent,
} from './validate.js';

function failure(fn: () => unknown): MailgateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MailgateError) return error;
    throw error;
  }
  throw new Error('expected a MailgateError');
}

function expectError(fn: () => unknown, code: ErrorCode, field: string): void {
  const error = failure(fn);
  expect({ code: error.code, field: error.field }).toEqual({ code, field });
}

function compose(overrides: Partial<ComposeContent> = {}): ComposeContent {
  return {
    from: { address: 'alice@example.com', name: 'Alice' },
    to: [{ address: 'bob@example.org' }],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: 'Hello',
    text: 'hi',
    attachments: [],
    headers: [],
    ...overrides,
  };
}

describe('assertAddress', () => {
  it.each([
    ['  Alice.Smith+tag@Example.COM ', 'Alice.Smith+tag@example.com'],
    ['user@localhost', 'user@localhost'],
    ['user@[127.0.0.1]', 'user@[127.0.0.1]'],
    ['user@[IPv6:2001:DB8::1]', 'user@[IPv6:2001:db8::1]'],
    ['"john doe"@example.com', '"john doe"@example.com'],
    ['"a@b"@example.com', '"a@b"@example.com'],
    ["o'brien!#$%&*=?^_`{|}~-@example.com", "o'brien!#$%&*=?^_`{|}~-@example.com"],
    ['用户@例子.广告', '用户@例子.广告'],
    ['Jörg@Bücher.DE', 'Jörg@bücher.de'],
    ['x@xn--bcher-kva.de', 'x@xn--bcher-kva.de'],
  ])('accepts %j', (input, expected) => {
    expect(assertAddress(input, 'to[0].address')).toBe(expected);
  });

  it.each([
    ['bob@example.org\r\nBcc: victim@example.net', 'header_injection'],
    ['bob@example.org\n', 'header_injection'],
    ['bob\0@example.org', 'invalid_address'],
    ['bob\u0007@example.org', 'invalid_address'],
    ['bob@exa\u2028mple.org', 'invalid_address'],
    ['bob.example.org', 'invalid_address'],
    ['@example.org', 'invalid_address'],
    ['bob@', 'invalid_address'],
    ['bob smith@example.org', 'invalid_address'],
    ['<bob@example.org>', 'invalid_address'],
    ['bob@example.org, eve@example.org', 'invalid_address'],
    ['bob;eve@example.org', 'invalid_address'],
    ['"bob@example.org', 'invalid_address'],
    ['bob"x"@example.org', 'invalid_address'],
    ['.bob@example.org', 'invalid_address'],
    ['bob..smith@example.org', 'invalid_address'],
    ['bob@-example.org', 'invalid_address'],
    ['bob@example..org', 'invalid_address'],
    ['bob@exam_ple.org', 'invalid_address'],
    ['bob@1.2.3.4', 'invalid_address'],
    ['bob@[1.2.3.999]', 'invalid_address'],
    ['bob@[2001:db8::1]', 'invalid_address'],
    [`${'a'.repeat(65)}@example.org`, 'invalid_address'],
    [`${'ü'.repeat(33)}@example.org`, 'invalid_address'],
    [`bob@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.org`, 'invalid_address'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.org`, 'invalid_address'],
    ['   ', 'field_blank'],
  ] as const)('refuses %j with %s', (input, code) => {
    expectError(() => assertAddress(input, 'to[0].address'), code, 'to[0].address');
  });

  it('accepts an address of exactly 254 octets', () => {
    const address = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.org`;
    expect(address.length).toBe(254);
    expect(assertAddress(address, 'from.address')).toBe(address);
  });

  it('never accepts control characters, and is idempotent on what it accepts', () => {
    const chars = fc.oneof(
      fc.constantFrom('a', 'Z', '0', '.', '@', '-', '+', '"', ' ', '[', ']', 'ü', '例', '\t', '\r', '\n', '\0', '\u007f', '\u0085'),
      fc.string({ maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), (parts) => {
        const input = parts.join('');
        let result: string;
        try {
          result = assertAddress(input, 'f');
        } catch (error) {
          expect(error).toBeInstanceOf(MailgateError);
          return;
        }
        expect(result).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(assertAddress(result, 'f')).toBe(result);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts generated valid addresses', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        expect(assertAddress(address, 'f').toLowerCase()).toBe(address.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });
});

describe('assertHeaderText', () => {
  it('returns ordinary and non-ASCII text unchanged', () => {
    expect(assertHeaderText('Grüße – 件名\tok', 'subject')).toBe('Grüße – 件名\tok');
  });

  it('refuses any string containing CR, LF or NUL as header injection', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('\r', '\n', '\r\n', '\0'), fc.string(), (before, brk, after) => {
        expectError(() => assertHeaderText(before + brk + after, 'subject'), 'header_injection', 'subject');
      }),
    );
  });

  it('refuses other control characters as invalid values', () => {
    expectError(() => assertHeaderText('bell\u0007', 'subject'), 'invalid_value', 'subject');
  });

  it('accepts any string without control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        fc.pre(!/[\u0000-\u001f\u007f]/.test(text));
        expect(assertHeaderText(text, 'subject')).toBe(text);
      }),
    );
  });
});

describe('assertHeaderName', () => {
  it('accepts custom header names', () => {
    expect(assertHeaderName('X-Campaign-Id', 'headers[0].name')).toBe('X-Campaign-Id');
    expect(assertHeaderName('List-Unsubscribe', 'headers[0].name')).toBe('List-Unsubscribe');
  });

  it.each(['Message-ID', 'date', 'FROM', 'To', 'cc', 'Bcc', 'Sender', 'Reply-To', 'Subject', 'MIME-Version', 'content-type', 'Content-Transfer-Encoding', 'DKIM-Signature', 'Received', 'Return-Path'])(
    'refuses the gateway-owned %s',
    (name) => {
      expectError(() => assertHeaderName(name, 'headers[1].name'), 'invalid_value', 'headers[1].name');
    },
  );

  it.each([
    ['X-Bad:Name', 'invalid_value'],
    ['X Bad', 'invalid_value'],
    ['X-Ünicode', 'invalid_value'],
    ['X-Evil\r\nBcc', 'header_injection'],
    ['', 'field_blank'],
    ['X-' + 'a'.repeat(80), 'invalid_value'],
  ] as const)('refuses %j with %s', (name, code) => {
    expectError(() => assertHeaderName(name, 'headers[0].name'), code, 'headers[0].name');
  });
});

describe('sanitizeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\bob\\Desktop\\secret.docx', 'secret.docx'],
    ['.bashrc', 'bashrc'],
    ['...', 'attachment'],
    ['', 'attachment'],
    ['dir/', 'attachment'],
    ['na\u0000me\u0007.txt', 'name.txt'],
    ['trailing. . ', 'trailing'],
    ['Résumé – 2024.pdf', 'Résumé – 2024.pdf'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFilename(input, 'attachments[0].filename')).toBe(expected);
  });

  it('refuses line breaks', () => {
    expectError(() => sanitizeFilename('a\r\nContent-Type: text/html', 'attachments[2].filename'), 'header_injection', 'attachments[2].filename');
  });

  it('caps the length at 250 characters and keeps the extension', () => {
    const name = sanitizeFilename('x'.repeat(400) + '.pdf', 'f');
    expect(Array.from(name)).toHaveLength(250);
    expect(name.endsWith('.pdf')).toBe(true);
    expect(Array.from(sanitizeFilename('🎉'.repeat(300), 'f'))).toHaveLength(250);
  });

  it('always yields a safe, non-empty base name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (input) => {
        fc.pre(!/[\r\n]/.test(input));
        const name = sanitizeFilename(input, 'f');
        expect(name.length).toBeGreaterThan(0);
        expect(Array.from(name).length).toBeLessThanOrEqual(250);
        expect(name).not.toMatch(/^\.|[/\\]|[\u0000-\u001f\u007f-\u009f]/);
      }),
    );
  });
});

describe('validateComposeContent', () => {
  it('returns a normalised copy without touching the input', () => {
    const input = compose({
      from: { address: ' Alice@EXAMPLE.com ', name: '  Alice  ' },
      sender: { address: 'robot@Example.com' },
      to: [{ address: 'bob@Example.org', name: '' }],
      cc: [{ address: 'carol@example.org', name: 'Carol' }],
      replyTo: [{ address: 'replies@example.com' }],
      html: '<p>hi</p>',
      attachments: [
        { filename: '../a.PNG', content: Buffer.from([1]), contentType: 'Image/PNG; name=x', contentId: '<logo@x>', inline: true },
      ],
      headers: [{ name: 'X-Tag', value: 'v' }],
    });
    const snapshot = JSON.stringify(input);
    const out = validateComposeContent(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(out).toEqual({
      from: { address: 'Alice@example.com', name: 'Alice' },
      sender: { address: 'robot@example.com' },
      to: [{ address: 'bob@example.org' }],
      cc: [{ address: 'carol@example.org', name: 'Carol' }],
      bcc: [],
      replyTo: [{ address: 'replies@example.com' }],
      subject: 'Hello',
      text: 'hi',
      html: '<p>hi</p>',
      attachments: [{ filename: 'a.PNG', content: Buffer.from([1]), contentType: 'image/png', contentId: 'logo@x', inline: true }],
      headers: [{ name: 'X-Tag', value: 'v' }],
    });
  });

  it('needs at least one recipient', () => {
    expect(failure(() => validateComposeContent(compose({ to: [] }))).code).toBe('no_recipients');
    expect(validateComposeContent(compose({ to: [], bcc: [{ address: 'b@example.org' }] })).bcc).toHaveLength(1);
  });

  it('needs a sender', () => {
    const mail = { ...compose(), from: undefined } as unknown as ComposeContent;
    expectError(() => validateComposeContent(mail), 'field_required', 'from');
  });

  it.each<[string, Partial<ComposeContent>, ErrorCode, string]>([
    ['bad to', { to: [{ address: 'ok@example.org' }, { address: 'nope' }] }, 'invalid_address', 'to[1].address'],
    ['blank cc', { cc: [{ address: '' }] }, 'field_blank', 'cc[0].address'],
    ['bcc injection', { bcc: [{ address: 'a@b.c\nX: y' }] }, 'header_injection', 'bcc[0].address'],
    ['name injection', { to: [{ address: 'b@example.org', name: 'Bob\r\nBcc: x@y.z' }] }, 'header_injection', 'to[0].name'],
    ['reply-to', { replyTo: [{ address: 'a b@example.org' }] }, 'invalid_address', 'replyTo[0].address'],
    ['sender', { sender: { address: 'x' } }, 'invalid_address', 'sender.address'],
    ['subject', { subject: 'Hi\nBcc: x@y.z' }, 'header_injection', 'subject'],
    ['header name', { headers: [{ name: 'Bcc', value: 'x@y.z' }] }, 'invalid_value', 'headers[0].name'],
    ['header value', { headers: [{ name: 'X-A', value: 'ok' }, { name: 'X-B', value: 'a\r\nb' }] }, 'header_injection', 'headers[1].value'],
    ['filename', { attachments: [{ filename: 'a\nb', content: Buffer.alloc(0) }] }, 'header_injection', 'attachments[0].filename'],
    ['content type', { attachments: [{ filename: 'a', content: Buffer.alloc(0), contentType: 'text' }] }, 'invalid_value', 'attachments[0].contentType'],
    ['multipart type', { attachments: [{ filename: 'a', content: Buffer.alloc(0), contentType: 'multipart/mixed' }] }, 'invalid_value', 'attachments[0].contentType'],
    ['content id', { attachments: [{ filename: 'a', content: Buffer.alloc(0), contentId: 'two words' }] }, 'invalid_value', 'attachments[0].contentId'],
    ['content bytes', { attachments: [{ filename: 'a', content: 'text' as unknown as Buffer }] }, 'invalid_type', 'attachments[0].content'],
  ])('refuses %s', (_label, overrides, code, field) => {
    expectError(() => validateComposeContent(compose(overrides)), code, field);
  });
});
