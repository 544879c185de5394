import { describe, expect, it } from 'vitest';
import { deliveryStatusBody, statusCodeOf } from './delivery-status.js';

describe('statusCodeOf', () => {
  it.each([
    [550, '5.1.1 <a@b.test>: no such user', '5.1.1', 'the reply’s enhanced code'],
    [550, '550 5.7.1 blocked by policy', '5.7.1', 'the code repeated before the text'],
    [550, '550-5.2.1 mailbox disabled', '5.2.1', 'a multi-line reply’s first line'],
    [421, '4.4.1 connection refused', '4.4.1', 'a temporary reply that ended in expiry'],
    [550, '4.0.0 the classes disagree', '5.0.0', 'an enhanced code of another class than the reply'],
    [554, 'transaction failed', '5.0.0', 'no enhanced code: the class alone'],
    [451, 'try again later', '4.0.0', 'no enhanced code, temporary'],
  ])('%i %s → %s (%s)', (code, reply, status) => {
    expect(statusCodeOf(code, reply)).toBe(status);
  });
});

describe('deliveryStatusBody', () => {
  it('keeps every field on one ASCII line whatever the remote said', () => {
    const body = deliveryStatusBody({
      reportingMta: 'gw.test',
      arrivalDate: Date.UTC(2026, 0, 2, 3, 4, 5),
      recipients: [{ recipient: 'x@remote.test', code: 550, reply: '5.1.1 unbekannter Empfänger\r\nzweite Zeile' }],
    });
    expect(body).toBe(
      [
        'Reporting-MTA: dns; gw.test',
        'Arrival-Date: Fri, 02 Jan 2026 03:04:05 +0000',
        '',
        'Final-Recipient: rfc822; x@remote.test',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 unbekannter Empf?nger zweite Zeile',
        '',
      ].join('\r\n'),
    );
  });
});
