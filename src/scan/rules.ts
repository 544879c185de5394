/**
 * The built-in spam rules: data plus one pure function, tested with a table of cases. Scores
 * follow SpamAssassin's scale (5 = spam at the moderate level); GTUBE scores 1000 as it does
 * there and in rspamd. rspamd, when configured, replaces this score (scanner.ts).
 */
import type { ContentFacts } from './content.js';
import type { DnsblHit } from './dnsbl.js';

/** The standard anti-UBE test string (SpamAssassin's GTUBE). */
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

export interface RuleInput {
  subject: string;
  content?: ContentFacts;
  spf?: string;
  dkim?: string;
  dmarc?: { result: string; policy: string };
  arc?: string;
  dnsbl: DnsblHit[];
}

/** A rule that fired: `group` becomes a verdict category, `name` a subcategory. */
export interface RuleHit {
  name: string;
  group: 'test' | 'authentication' | 'reputation' | 'content' | 'bulk';
  score: number;
  description: string;
}

const SPAM_PHRASES = /\b(viagra|cialis|lottery|you have won|winner!|claim your prize|100% free|risk[- ]free|act now|wire transfer|bitcoin investment|nigerian prince|million dollars)\b/i;

/** Every built-in rule that fires for the input. */
export function applyRules(input: RuleInput): RuleHit[] {
  const out: RuleHit[] = [];
  const add = (name: string, group: RuleHit['group'], score: number, description: string) => out.push({ name, group, score, description });
  const text = input.content?.text ?? '';
  const headers = input.content?.headers ?? new Map<string, string>();

  if (text.includes(GTUBE) || input.subject.includes(GTUBE)) add('GTUBE', 'test', 1000, 'Generic Test for Unsolicited Bulk Email');

  if (input.spf === 'fail') add('SPF_FAIL', 'authentication', 2, 'SPF: the sending host is not permitted');
  if (input.spf === 'softfail') add('SPF_SOFTFAIL', 'authentication', 1, 'SPF: the sending host is probably not permitted');
  if (input.dkim === 'fail') add('DKIM_INVALID', 'authentication', 1.5, 'DKIM: a signature does not verify');
  if (input.dmarc?.result === 'fail') {
    const byPolicy: Record<string, number> = { reject: 5, quarantine: 3.5 };
    add(`DMARC_POLICY_${input.dmarc.policy.toUpperCase()}`, 'authentication', byPolicy[input.dmarc.policy] ?? 1, `DMARC failed; the domain asks to ${input.dmarc.policy}`);
  }
  if (input.arc === 'fail') add('ARC_INVALID', 'authentication', 1, 'ARC: the chain does not verify');
  if (input.arc === 'pass' && input.dmarc?.result === 'fail') add('ARC_ALLOW', 'authentication', -1, 'ARC: a valid chain vouches for the earlier hops');

  for (const hit of input.dnsbl) add(`RBL_${hit.zone.toUpperCase()}`, 'reputation', hit.weight, `Listed in ${hit.zone} (${hit.answer})`);

  if (input.subject.trim() === '') add('MISSING_SUBJECT', 'content', 0.5, 'The message has no subject');
  const letters = input.subject.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 10 && letters === letters.toUpperCase()) add('SUBJ_ALL_CAPS', 'content', 1.5, 'The subject is all capitals');
  if (SPAM_PHRASES.test(input.subject) || SPAM_PHRASES.test(text)) add('SPAM_PHRASES', 'content', 2.5, 'Phrases typical of spam');
  if (/!{3,}/.test(input.subject)) add('SUBJ_EXCLAMATIONS', 'content', 1, 'Many exclamation marks in the subject');
  if (input.content && !headers.has('date')) add('MISSING_DATE', 'content', 1, 'The message has no Date header');
  if (input.content && !headers.has('message-id')) add('MISSING_MID', 'content', 0.5, 'The message has no Message-ID header');

  const bulk = headers.has('list-unsubscribe') || headers.has('list-id') || /^(bulk|list|junk)$/i.test(headers.get('precedence') ?? '');
  if (bulk) add('BULK_MAIL', 'bulk', 0.5, 'Bulk or list mail (List-Unsubscribe, List-Id or Precedence)');
  return out;
}

/** The sum of the scores, rounded to one decimal like SpamAssassin's report. */
export function scoreOf(symbols: readonly RuleHit[]): number {
  return Math.round(symbols.reduce((sum, s) => sum + s.score, 0) * 10) / 10;
}
