import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import type { AddressObject, ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { MailgateError } from '../src/core/errors.js';
import type { ComposeContent } from '../src/core/message.js';
import { validateComposeContent } from '../src/core/validate.js';
import { createComposer } from '../src/mime/compose.js';
import { decodeEncodedWords } from '../src/mime/address.js';
import { prepareRawMessage, readHeaderSummary, readHeaders } from '../src/mime/raw-message.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

const ids = { messageId: 'm.0123456789abcdef@mailgate.test', date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) };
// Every byte value, so any 7-bit or charset mangling of the attachment shows up.
const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

function fullMessage(): ComposeContent {
  return {
    from: { address: 'zoe@example.com', name: 'Zoë Ångström' },
    sender: { address: 'gateway@example.com', name: 'Mail Gateway' },
    to: [
      { address: 'jane@example.org', name: 'Doe, Jane' },
      { address: 'ops@example.net' },
    ],
    cc: [{ address: 'rene@example.org', name: 'René Müller' }],
    bcc: [{ address: 'hidden-auditor@example.org', name: 'Secret Auditor' }],
    replyTo: [{ address: 'replies@example.com', name: '返信' }],
    subject: 'Rapport trimestriel – T3 « résumé » ✓ 日本語',
    text: 'Bonjour Jane,\nvoici le résumé.\n',
    html: '<p>Bonjour <b>Jane</b>, voici le résumé.</p><img src="cid:logo@mailgate.test" alt="logo">',
    attachments: [
      { filename: 'T3 résumé.pdf', content: Buffer.from('%PDF-1.4\n%äüöß\n') },
      { filename: 'blob.bin', content: binary, contentType: 'application/octet-stream' },
      { filename: 'logo.png', content: png, contentId: 'logo@mailgate.test', inline: true },
    ],
    headers: [
      { name: 'X-Campaign-Id', value: 'q3-2024' },
      { name: 'X-Note', value: 'Ünïcödé value' },
    ],
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): Array<{ address?: string; name: string }> {
  return [value ?? []].flat().flatMap((a) => a.value.map((v) => ({ address: v.address, name: v.name })));
}

describe('createComposer', () => {
  it('builds a message that parses back to every field', async () => {
    const raw = await createComposer().compose(validateComposeContent(fullMessage()), ids);
    const text = raw.toString('latin1');
    // keepCidLinks: otherwise mailparser rewrites cid: references into data: URIs.
    const parsed: ParsedMail = await simpleParser(raw, { keepCidLinks: true });

    expect(addresses(parsed.from)).toEqual([{ address: 'zoe@example.com', name: 'Zoë Ångström' }]);
    expect(addresses(parsed.headers.get('sender') as AddressObject)).toEqual([{ address: 'gateway@example.com', name: 'Mail Gateway' }]);
    expect(addresses(parsed.to)).toEqual([
      { address: 'jane@example.org', name: 'Doe, Jane' },
      { address: 'ops@example.net', name: '' },
    ]);
    expect(addresses(parsed.cc)).toEqual([{ address: 'rene@example.org', name: 'René Müller' }]);
    expect(addresses(parsed.replyTo)).toEqual([{ address: 'replies@example.com', name: '返信' }]);
    expect(parsed.subject).toBe('Rapport trimestriel – T3 « résumé » ✓ 日本語');
    // Non-ASCII header text must travel as RFC 2047 encoded words, never raw 8-bit.
    expect(text).toMatch(/^Subject: =\?UTF-8\?[QB]\?/m);
    expect(/[\x80-\xff]/.test(text.slice(0, text.indexOf('\r\n\r\n')))).toBe(false);

    expect(parsed.messageId).toBe('<m.0123456789abcdef@mailgate.test>');
    expect(text).toMatch(/^Message-ID: <m\.0123456789abcdef@mailgate\.test>\r$/m);
    expect(text).toMatch(/^Date: Tue, 02 Jan 2024 03:04:05 \+0000\r$/m);
    expect(parsed.date?.toISOString()).toBe('2024-01-02T03:04:05.000Z');

    // Bcc recipients are envelope-only.
    expect(parsed.bcc).toBeUndefined();
    expect(text).not.toMatch(/^bcc:/im);
    expect(text).not.toContain('hidden-auditor');

    expect(parsed.text).toBe('Bonjour Jane,\nvoici le résumé.\n');
    expect(parsed.html).toBe('<p>Bonjour <b>Jane</b>, voici le résumé.</p><img src="cid:logo@mailgate.test" alt="logo">');
    expect(parsed.headers.get('x-campaign-id')).toBe('q3-2024');
    // mailparser leaves unknown headers encoded; the value went out as an RFC 2047 word.
    expect(parsed.headers.get('x-note')).toMatch(/^=\?UTF-8\?/);
    expect(decodeEncodedWords(parsed.headers.get('x-note') as string)).toBe('Ünïcödé value');

    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.contentDisposition, a.related ?? false])).toEqual([
      ['logo.png', 'image/png', 'inline', true],
      ['T3 résumé.pdf', 'application/pdf', 'attachment', false],
      ['blob.bin', 'application/octet-stream', 'attachment', false],
    ]);
    const [logo, pdf, blob] = parsed.attachments;
    expect(logo?.cid).toBe('logo@mailgate.test');
    expect(logo?.contentId).toBe('<logo@mailgate.test>');
    expect(logo?.content.equals(png)).toBe(true);
    expect(pdf?.content.equals(Buffer.from('%PDF-1.4\n%äüöß\n'))).toBe(true);
    expect(blob?.content.equals(binary)).toBe(true);

    // Structure: mixed → (alternative → text, related → html + image), pdf, bin.
    const types = [...text.matchAll(/^Content-Type: ([\w/-]+)/gim)].map((m) => m[1]);
    expect(types).toEqual([
      'multipart/mixed',
      'multipart/alternative',
      'text/plain',
      'multipart/related',
      'text/html',
      'image/png',
      'application/pdf',
      'application/octet-stream',
    ]);
    expect(text).toMatch(/^Content-ID: <logo@mailgate\.test>\r$/m);
    // CRLF throughout, as SMTP and DKIM expect.
    expect(/(?<!\r)\n/.test(text)).toBe(false);
  });

  it('writes a single text part without multipart wrapping', async () => {
    const mail = { ...fullMessage(), html: undefined, attachments: [] };
    const raw = await createComposer().compose(mail, ids);
    const parsed = await simpleParser(raw);
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'text/plain' });
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toBe(false);
  });

  it('puts html alone with attachments into multipart/mixed', async () => {
    const mail = { ...fullMessage(), text: undefined, attachments: [fullMessage().attachments[0]!] };
    const parsed = await simpleParser(await createComposer().compose(mail, ids));
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/mixed' });
    expect(parsed.html).toBe(mail.html);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['T3 résumé.pdf']);
  });

  it('encodes a large attachment in slices exactly as in one piece: 76-character lines that decode to the same bytes', async () => {
    // Not a multiple of the slice size or of 3, so slices end mid-group and mid-line.
    const big = randomBytes(3 * 49_152 + 1_001);
    const raw = await createComposer().compose({ ...fullMessage(), attachments: [{ filename: 'big.bin', content: big }] }, ids);
    const parsed = await simpleParser(raw);
    expect(parsed.attachments[0]?.content.equals(big)).toBe(true);
    const part = raw.toString('latin1').split('\r\n\r\n').find((block) => /^[A-Za-z0-9+/]{76}\r\n/.test(block)) ?? '';
    const lines = part.split('\r\n').filter((line) => /^[A-Za-z0-9+/=]+$/.test(line));
    expect(lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
    expect(lines.join('')).toBe(big.toString('base64'));
  });

  it('keeps a bracketed message id as is and refuses gateway-owned headers', async () => {
    const raw = await createComposer().compose(fullMessage(), { ...ids, messageId: '<x@y>' });
    expect(raw.toString()).toMatch(/^Message-ID: <x@y>\r$/m);
    const mail = { ...fullMessage(), headers: [{ name: 'Content-Type', value: 'text/html' }] };
    await expect(createComposer().compose(mail, ids)).rejects.toMatchObject({ code: 'invalid_value', field: 'headers[0].name' });
  });
});

describe('raw client messages', () => {
  it('reads the header summary of a real multipart message', () => {
    const summary = readHeaderSummary(fixture('quarterly-report.eml'));
    expect(summary).toEqual({
      from: 'zoe.angstrom@example.com',
      fromAddresses: ['zoe.angstrom@example.com'],
      senderAddresses: [],
      fromHeader: '"Zoë Ångström" <zoe.angstrom@example.com>',
      subject: 'Rapport trimestriel – T3 « résumé » ✓',
      messageId: '<DM6PR11MB46104C2E9A1F3B7C8D9E0F12A3B4C@DM6PR11MB4610.namprd11.prod.outlook.com>',
      to: ['jane.doe@example.org', 'ops@example.net'],
      cc: ['cfo@example.org', 'rene@example.org'],
      bcc: [],
    });
  });

  it('keeps a message that has its ids byte-for-byte', async () => {
    const raw = fixture('quarterly-report.eml');
    const prepared = prepareRawMessage(raw, ids);
    expect(prepared.raw.equals(raw)).toBe(true);
    expect(prepared.messageId).toBe('<DM6PR11MB46104C2E9A1F3B7C8D9E0F12A3B4C@DM6PR11MB4610.namprd11.prod.outlook.com>');
    expect(prepared.date).toBe('Tue, 8 Oct 2024 09:14:05 +0000');
    const parsed = await simpleParser(prepared.raw);
    expect(parsed.attachments[0]?.filename).toBe('T3-resume.pdf');
    expect(parsed.attachments[0]?.content.subarray(0, 8).toString()).toBe('%PDF-1.4');
  });

  it('adds Message-ID and Date on top when missing, in the message\'s own line ending', () => {
    const raw = fixture('script-no-ids.eml');
    const prepared = prepareRawMessage(raw, ids);
    const added = 'Message-ID: <m.0123456789abcdef@mailgate.test>\nDate: Tue, 02 Jan 2024 03:04:05 +0000\n';
    expect(prepared.raw.toString()).toBe(added + raw.toString());
    expect(prepared).toMatchObject({ messageId: '<m.0123456789abcdef@mailgate.test>', date: 'Tue, 02 Jan 2024 03:04:05 +0000' });
    expect(readHeaderSummary(prepared.raw)).toMatchObject({ messageId: prepared.messageId, bcc: ['audit@example.org'] });

    const crlf = Buffer.from(raw.toString().replace(/\n/g, '\r\n'));
    expect(prepareRawMessage(crlf, ids).raw.subarray(0, added.length + 2).toString()).toBe(added.replace(/\n/g, '\r\n'));
  });

  it('removes Bcc fields on request and leaves the rest intact', () => {
    const raw = Buffer.from('From: a@example.com\r\nBcc: x@example.org,\r\n y@example.org\r\nSubject: s\r\nBcc: z@example.org\r\n\r\nbody\r\n');
    const prepared = prepareRawMessage(raw, ids, { stripBcc: true });
    const rest = prepared.raw.toString().split('\r\n').slice(2).join('\r\n');
    expect(rest).toBe('From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n');
  });

  it('refuses a header block with NUL or without a separator', () => {
    const cases = [
      Buffer.from('From: a@example.com\r\nSubject: x\0y\r\n\r\nbody'),
      Buffer.from('From: a@example.com\r\nSubject: no body separator\r\n'),
      Buffer.from('just some text without headers\r\n\r\nbody'),
      Buffer.from('\r\n\r\nbody only'),
      Buffer.from(' folded first\r\n\r\nbody'),
    ];
    for (const raw of cases) {
      expect(() => readHeaderSummary(raw)).toThrow(MailgateError);
      expect(() => prepareRawMessage(raw, ids)).toThrow(expect.objectContaining({ code: 'invalid_mime' }));
    }
  });

  it('unfolds headers and keeps folding whitespace', () => {
    const headers = readHeaders(fixture('quarterly-report.eml'));
    expect(headers[0]).toEqual({
      name: 'Received',
      value:
        'from DM6PR11MB4610.namprd11.prod.outlook.com (2603:10b6:5:2a0::12) by SN6PR11MB3360.namprd11.prod.outlook.com with HTTPS; Tue, 8 Oct 2024 09:14:07 +0000',
    });
  });

  it.each([
    ['=?UTF-8?Q?a_b?= =?UTF-8?Q?_c?=', 'a b c'],
    ['plain =?utf-8?B?w6k=?= text', 'plain é text'],
    // A multi-byte character split across two words.
    ['=?utf-8?B?5pel?= =?utf-8?B?5pys?=', '日本'],
    ['=?UTF-8?B?' + Buffer.from([0xe6, 0x97]).toString('base64') + '?=\r\n =?UTF-8?B?' + Buffer.from([0xa5]).toString('base64') + '?=', '日'],
    ['=?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?=', '日本語の件名'],
    ['=?iso-8859-1*fr?Q?=E9t=E9?=', 'été'],
    // An unknown charset: libmime (and so mailparser) shows the bytes rather than the raw word.
    ['=?x-unknown?Q?abc?=', 'abc'],
    ['no words here', 'no words here'],
  ])('decodes %j', (input, expected) => {
    expect(decodeEncodedWords(input)).toBe(expected);
  });
});
