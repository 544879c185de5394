import { describe, expect, it } from 'vitest';
import { reversedIp } from './dnsbl.js';
import { GTUBE, applyRules, scoreOf } from './rules.js';
import { assertWellFormed, normalizeLineEnds } from '../smtp/message-checks.js';

const content = (text: string, headers: Record<string, string> = { date: 'x', 'message-id': 'y' }) => ({ text, html: false, attachments: [], headers: new Map(Object.entries(headers)) });

describe('built-in spam rules', () => {
  it.each([
    ['clean mail', { subject: 'Minutes', content: content('see you'), spf: 'pass', dkim: 'pass', dmarc: { result: 'pass', policy: 'reject' }, dnsbl: [] }, 0],
    ['GTUBE', { subject: 't', content: content(GTUBE), dnsbl: [] }, 1000],
    ['SPF fail under DMARC reject', { subject: 'Minutes', content: content('x'), spf: 'fail', dmarc: { result: 'fail', policy: 'reject' }, dnsbl: [] }, 7],
    ['ARC vouching for a DMARC failure', { subject: 'Minutes', content: content('x'), dmarc: { result: 'fail', policy: 'none' }, arc: 'pass', dnsbl: [] }, 0],
    ['blocklisted', { subject: 'Minutes', content: content('x'), dnsbl: [{ zone: 'bl.test', query: 'q', answer: '127.0.0.2', weight: 6 }] }, 6],
    ['shouting spam', { subject: 'YOU HAVE WON THE LOTTERY!!!', content: content('claim your prize'), dnsbl: [] }, 5],
    ['bulk mail', { subject: 'News', content: content('x', { date: 'x', 'message-id': 'y', 'list-unsubscribe': '<mailto:u@x>' }), dnsbl: [] }, 0.5],
  ])('%s scores %d', (_name, input, expected) => {
    expect(scoreOf(applyRules(input))).toBe(expected);
  });
});

describe('DNSBL query labels (RFC 5782)', () => {
  it.each([
    ['192.0.2.99', '99.2.0.192'],
    ['::ffff:127.0.0.2', '2.0.0.127'],
    ['2001:db8::1', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2'],
    ['not-an-ip', undefined],
  ])('%s → %s', (ip, label) => expect(reversedIp(ip)).toBe(label));
});

describe('SMTP message checks', () => {
  it('turns bare LF into CRLF and leaves CRLF alone', () => {
    expect(normalizeLineEnds(Buffer.from('a\nb\r\nc\n')).toString()).toBe('a\r\nb\r\nc\r\n');
    const crlf = Buffer.from('a\r\nb\r\n');
    expect(normalizeLineEnds(crlf)).toBe(crlf);
  });
  it('refuses long lines and bare CR in headers only', () => {
    expect(() => assertWellFormed(Buffer.from('S: x\r\n\r\n' + 'x'.repeat(999)))).toThrow(/998/);
    expect(() => assertWellFormed(Buffer.from('S: x\r\n\r\n' + 'x'.repeat(998) + '\r\n'))).not.toThrow();
    expect(() => assertWellFormed(Buffer.from('S: x\rB: y\r\n\r\nbody'))).toThrow(expect.objectContaining({ code: 'header_injection' }));
    expect(() => assertWellFormed(Buffer.from('S: x\r\n\r\nbody\rwith cr'))).not.toThrow();
  });
});
