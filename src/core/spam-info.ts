/**
 * The scan result as Mimecast reports it in `spamInfo` (the Get Message Info page (docs/vendor-apis.md#message-tracking), get-message-info), kept with the
 * message so tracking can show it unchanged.
 */

/** An `{allow, info}` pair of `spamProcessingDetail` (the Get Message Info page (docs/vendor-apis.md#message-tracking) "infoObject"). */
export interface CheckResult {
  allow: boolean;
  info: string;
}

export interface VerdictCategory {
  name: string;
  risk: string;
  subcategories: Array<{ name: string; risk: string; augmentations: Array<{ name: string; risk: string }> }>;
}

export interface SpamVerdict {
  /** `spam` or `clean`. */
  decision: string;
  description: string;
  risk: Risk;
  categories: VerdictCategory[];
}

export interface SpamProcessingDetail {
  rbl: CheckResult;
  greyEmail: boolean;
  spf: CheckResult;
  dkim: CheckResult;
  dmarc: CheckResult;
  permittedSender: CheckResult;
  managedSender: CheckResult;
  symbolGroups: Array<{ name: string; description: string }>;
  verdict: SpamVerdict;
}

export interface SpamInfo {
  spamScore: number;
  detectionLevel: DetectionLevel;
  spamProcessingDetail: SpamProcessingDetail;
}

export const DETECTION_LEVELS = ['relaxed', 'moderate', 'aggressive'] as const;
export type DetectionLevel = (typeof DETECTION_LEVELS)[number];

/**
 * Score at or above which a message is spam, per detection level. Moderate is SpamAssassin's
 * `required_score` of 5; aggressive catches more, relaxed only the obvious.
 */
export const SPAM_THRESHOLDS: Readonly<Record<DetectionLevel, number>> = { aggressive: 3, moderate: 5, relaxed: 8 };

export type Risk = 'negligible' | 'low' | 'medium' | 'high';

/** Risk rating of a score against the thresholds: a message is `high` risk from the relaxed threshold on. */
export function riskOf(score: number): Risk {
  if (score >= SPAM_THRESHOLDS.relaxed) return 'high';
  if (score >= SPAM_THRESHOLDS.moderate) return 'medium';
  if (score >= SPAM_THRESHOLDS.aggressive) return 'low';
  return 'negligible';
}

/** An `{allow, info}` pair for a check that did not run: allowing, so that it blocks nothing. */
export const NOT_CHECKED: CheckResult = { allow: true, info: 'not checked' };

/**
 * `spamInfo` of a message that was not scanned (an authenticated API send while no policy needed
 * a scan): every key of the Get Message Info page (docs/vendor-apis.md#message-tracking), each "not checked", so clients reading `['spf']['allow']` work.
 * `permittedSender.allow` stays false, as for any scan where no permitted-senders entry matched.
 */
export function notScannedSpamInfo(detectionLevel: DetectionLevel, reason: string): SpamInfo {
  return {
    spamScore: 0,
    detectionLevel,
    spamProcessingDetail: {
      rbl: NOT_CHECKED,
      greyEmail: false,
      spf: NOT_CHECKED,
      dkim: NOT_CHECKED,
      dmarc: NOT_CHECKED,
      permittedSender: { allow: false, info: 'not checked' },
      managedSender: NOT_CHECKED,
      symbolGroups: [],
      verdict: { decision: '', description: `not scanned: ${reason}`, risk: 'negligible', categories: [] },
    },
  };
}

export function isDetectionLevel(value: unknown): value is DetectionLevel {
  return typeof value === 'string' && (DETECTION_LEVELS as readonly string[]).includes(value);
}
