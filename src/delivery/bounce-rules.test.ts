import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BOUNCE_RULES, classifyReply, type Classification } from './bounce-rules.js';

type Case = [code: number, text: string, outcome: Classification['outcome'], category: Classification['category']];

// Real-world reply texts (Postfix, Exim, Gmail, Microsoft 365, Yahoo) plus the transport's own.
const CASES: Case[] = [
  [250, '250 2.0.0 Ok: queued as 4BfX1Z3k', 'delivered', 'delivered'],
  [251, '251 2.1.5 User not local; will forward', 'delivered', 'delivered'],
  [250, '250 captured', 'delivered', 'delivered'],

  [452, '452 4.2.2 The email account that you tried to reach is over quota', 'temporary', 'mailbox_full'],
  [552, '552 5.2.2 The email account that you tried to reach is over quota', 'temporary', 'mailbox_full'],
  [550, '550 5.2.2 <bob@example.com>: Mailbox full', 'temporary', 'mailbox_full'],
  [552, '552 Requested mail action aborted: exceeded storage allocation', 'temporary', 'mailbox_full'],
  [552, '552 Requested mail action aborted', 'temporary', 'mailbox_full'],
  [552, '552 5.3.4 Message size exceeds fixed limit', 'permanent', 'message'],
  [552, '552 5.3.4 Message too big for system', 'permanent', 'message'],

  [550, '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table', 'permanent', 'recipient'],
  [550, "550-5.1.1 The email account that you tried to reach does not exist.", 'permanent', 'recipient'],
  [550, '550 5.1.1 mailbox unavailable', 'permanent', 'recipient'],
  [550, '550 No such user here', 'permanent', 'recipient'],
  [553, '553 5.1.6 Recipient address rejected: account disabled', 'permanent', 'recipient'],

  [550, '550 5.1.2 example.invalid: domain not found', 'permanent', 'domain'],
  [556, '556 5.1.10 example.com does not accept mail (null MX)', 'permanent', 'domain'],
  [554, '554 5.4.4 Unrouteable address', 'permanent', 'domain'],

  [535, '535 5.7.8 Authentication credentials invalid', 'permanent', 'auth'],
  [530, '530 5.7.0 Authentication required', 'permanent', 'auth'],
  [530, '530 5.7.0 Must issue a STARTTLS command first', 'permanent', 'tls'],

  [550, '550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', 'permanent', 'policy'],
  [550, '550 5.7.26 Unauthenticated email from example.com is not accepted due to domain\'s DMARC policy', 'permanent', 'policy'],
  [554, '554 5.7.1 Message rejected as spam', 'permanent', 'policy'],
  [550, '550 SC-001 Mail rejected by Outlook.com for policy reasons', 'permanent', 'policy'],
  [554, '554 Transaction failed: message contains a virus', 'permanent', 'policy'],
  [550, '550 5.7.1 Relaying denied', 'permanent', 'policy'],

  [421, '421 4.7.28 Our system has detected an unusual rate of unsolicited mail', 'temporary', 'rate'],
  [421, '421 RP-001 (COL004-MC1F37) Unfortunately, some messages from 192.0.2.1 weren\'t sent', 'temporary', 'rate'],
  [550, '550 5.4.5 Daily user sending quota exceeded', 'temporary', 'rate'],

  [450, '450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/', 'temporary', 'greylist'],
  [451, '451 4.7.1 Please try again later', 'temporary', 'greylist'],
  [451, '451 Temporarily rejected. Try again later.', 'temporary', 'greylist'],

  [421, '421 4.4.1 connection to mx.example.com [192.0.2.1]:25 failed: ECONNREFUSED', 'temporary', 'network'],
  [421, '421 4.4.1 mx.example.com: connection timed out', 'temporary', 'network'],
  [421, '421 4.4.2 connection lost during DATA', 'temporary', 'network'],
  [451, '451 4.4.3 DNS lookup for example.com failed: ESERVFAIL', 'temporary', 'dns'],

  [421, '421 4.3.2 Service not available, closing transmission channel', 'temporary', 'capacity'],
  [450, '450 4.2.1 Mailbox busy', 'temporary', 'recipient'],
  [451, '451 4.3.0 Local error in processing', 'temporary', 'other'],
  [452, '452 4.5.3 Too many recipients', 'temporary', 'rate'],
  [452, '452 Insufficient system storage', 'temporary', 'mailbox_full'],
  [452, '452 Requested action not taken', 'temporary', 'capacity'],

  // No row matches: the plain SMTP rule applies.
  [454, '454 4.7.0 TLS not available due to local problem', 'temporary', 'other'],
  [554, '554 Transaction failed', 'permanent', 'other'],
  [500, '500 Syntax error, command unrecognized', 'permanent', 'other'],

  // Not a failure class at all: retry rather than bounce.
  [354, '354 Start mail input', 'temporary', 'protocol'],
  [0, 'no reply', 'temporary', 'protocol'],
];

describe('classifyReply', () => {
  it.each(CASES)('%i %s → %s/%s', (code, text, outcome, category) => {
    expect(classifyReply(code, text)).toEqual({ outcome, category });
  });

  it('follows the class of the code for every failure the table does not claim', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), (code) => {
        const { outcome } = classifyReply(code, 'nothing recognisable');
        if (code < 300) expect(outcome).toBe('delivered');
        else if (code < 500) expect(outcome).toBe('temporary');
        else if (code === 552) expect(outcome).toBe('temporary');
        else expect(outcome).toBe('permanent');
      }),
    );
  });

  it('never turns a 2xx into a failure, whatever the text says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 299 }), fc.string(), (code, text) => {
        expect(classifyReply(code, `${text} spam blocked user unknown`).outcome).toBe('delivered');
      }),
    );
  });

  it('has a test case for every row', () => {
    const hit = new Set<string>();
    for (const [code, text] of CASES) {
      if (code < 400 || code >= 600) continue;
      const row = BOUNCE_RULES.find((r) => (!r.codes || (code >= r.codes[0] && code <= r.codes[1])) && r.pattern.test(text));
      if (row) hit.add(row.note);
    }
    expect(BOUNCE_RULES.map((r) => r.note).filter((n) => !hit.has(n))).toEqual([]);
  });
});
