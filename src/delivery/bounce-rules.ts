/**
 * Bounce classification as data (in the spirit of zone-mta's config/bounces.txt): an ordered table
 * of reply patterns, the first matching row wins, and the plain SMTP rule (2xx/4xx/5xx) when none
 * does. Rows exist where the code alone gives the wrong answer or too little detail.
 */

export const BOUNCE_CATEGORY = {
  delivered: 'delivered',
  mailboxFull: 'mailbox_full',
  recipient: 'recipient',
  domain: 'domain',
  message: 'message',
  policy: 'policy',
  auth: 'auth',
  tls: 'tls',
  rate: 'rate',
  greylist: 'greylist',
  network: 'network',
  dns: 'dns',
  capacity: 'capacity',
  protocol: 'protocol',
  other: 'other',
} as const;
export type BounceCategory = (typeof BOUNCE_CATEGORY)[keyof typeof BOUNCE_CATEGORY];

export type ReplyOutcome = 'delivered' | 'temporary' | 'permanent';

export interface Classification {
  outcome: ReplyOutcome;
  category: BounceCategory;
}

export interface BounceRule extends Classification {
  /** Matched against the reply text (which may or may not start with the code). */
  pattern: RegExp;
  /** Inclusive range of reply codes the row applies to; any failure code when absent. */
  codes?: readonly [number, number];
  /** Why the row exists, shown in test names. */
  note: string;
}

const ANY = /(?:)/;
const FOUR = [400, 499] as const;
const FIVE = [500, 599] as const;

/** Ordered: the first row whose code range and pattern match decides. */
export const BOUNCE_RULES: readonly BounceRule[] = [
  // 552 is both "mailbox full" and "message too big"; size has to be recognised first.
  {
    note: 'message too large',
    codes: FIVE,
    pattern: /\b5\.3\.4\b|message (size )?(is )?too (big|large)|exceeds? (the )?(maximum|max|size)|size limit/i,
    outcome: 'permanent',
    category: 'message',
  },
  // Sender-side limits lift by themselves, whatever class the remote put on the reply.
  {
    note: 'rate limited',
    pattern: /rate.?limit|too many (messages|connections|emails|mails|recipients)|sending (quota|limit)|\b4\.7\.28\b|throttl|slow down|RP-00\d/i,
    outcome: 'temporary',
    category: 'rate',
  },
  // A full mailbox is usually emptied again; RFC 5321 §4.2.2 also asks clients to treat 552 on
  // RCPT as 452.
  {
    note: 'mailbox full',
    pattern: /\b[45]\.2\.2\b|mailbox (is )?full|over ?quota|quota exceeded|exceeded storage|insufficient (system )?storage|mailbox.*(size|storage) limit/i,
    outcome: 'temporary',
    category: 'mailbox_full',
  },
  { note: '552 without detail (RFC 5321 §4.2.2)', codes: [552, 552], pattern: ANY, outcome: 'temporary', category: 'mailbox_full' },
  {
    note: 'user unknown',
    codes: FIVE,
    pattern: /\b5\.1\.[16]\b|user unknown|unknown (user|recipient|mailbox)|no such (user|mailbox|recipient|address)|mailbox (unavailable|not found|does not exist)|recipient (address )?(rejected|not found|unknown)|(address|account|user) (does not|doesn't) exist|invalid recipient|disabled (mailbox|account)|account (has been )?disabled/i,
    outcome: 'permanent',
    category: 'recipient',
  },
  {
    note: 'domain has no mail servers (no MX / domain not found / null MX)',
    codes: FIVE,
    pattern: /\b5\.1\.(2|10)\b|\b5\.4\.4\b|domain not found|host (or domain name )?not found|no (mx|mail exchanger)|unroutable|unrouteable|does not accept mail|null mx/i,
    outcome: 'permanent',
    category: 'domain',
  },
  {
    note: 'authentication required or refused',
    codes: [530, 535],
    pattern: /auth/i,
    outcome: 'permanent',
    category: 'auth',
  },
  {
    note: 'TLS required',
    codes: FIVE,
    pattern: /\b5\.7\.1[01]\b|starttls|encryption (is )?required|must issue a starttls/i,
    outcome: 'permanent',
    category: 'tls',
  },
  {
    note: 'policy, spam or blocklist refusal',
    codes: FIVE,
    pattern: /\b5\.7\.\d{1,3}\b|spam|block(ed|list)|blacklist|denylist|\brbl\b|dnsbl|policy|reputation|dmarc|\bspf\b|\bdkim\b|virus|malware|not (allowed|permitted)|relay(ing)? (access )?denied/i,
    outcome: 'permanent',
    category: 'policy',
  },
  {
    note: 'greylisting',
    codes: FOUR,
    pattern: /gr[ae]y.?list|try again later|temporarily (deferred|rejected|blocked)|please retry|come back later|\b4\.7\.1\b.*later/i,
    outcome: 'temporary',
    category: 'greylist',
  },
  // Includes the 421 4.4.1 replies the SMTP transport writes for connections it could not make.
  {
    note: 'connection refused, reset or timed out',
    pattern: /\b4\.4\.[127]\b|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|connection (refused|reset|timed out|lost|closed)|timed? ?out/i,
    outcome: 'temporary',
    category: 'network',
  },
  {
    note: 'DNS lookup failure',
    pattern: /\b4\.4\.3\b|SERVFAIL|EAI_AGAIN|ESERVFAIL|dns (lookup )?(failure|error|timeout|temporar)/i,
    outcome: 'temporary',
    category: 'dns',
  },
  { note: '421 service closing', codes: [421, 421], pattern: ANY, outcome: 'temporary', category: 'capacity' },
  { note: '450 mailbox busy', codes: [450, 450], pattern: ANY, outcome: 'temporary', category: 'recipient' },
  { note: '451 local error', codes: [451, 451], pattern: ANY, outcome: 'temporary', category: 'other' },
  { note: '452 insufficient storage', codes: [452, 452], pattern: ANY, outcome: 'temporary', category: 'capacity' },
];

function inRange(code: number, range: readonly [number, number] | undefined): boolean {
  return range === undefined || (code >= range[0] && code <= range[1]);
}

/** Decides delivered / temporary / permanent for one SMTP reply, with a category for reporting. */
export function classifyReply(code: number, text: string, rules: readonly BounceRule[] = BOUNCE_RULES): Classification {
  if (code >= 200 && code < 300) return { outcome: 'delivered', category: 'delivered' };
  // Anything but 4xx/5xx is a protocol surprise, not a verdict about the recipient: retry.
  if (code < 400 || code >= 600) return { outcome: 'temporary', category: 'protocol' };
  for (const rule of rules) {
    if (inRange(code, rule.codes) && rule.pattern.test(text)) {
      return { outcome: rule.outcome, category: rule.category };
    }
  }
  return code < 500 ? { outcome: 'temporary', category: 'other' } : { outcome: 'permanent', category: 'other' };
}
