/** The suppression list options (services/suppressions.ts), declared beside config.ts's OPTIONS and spread into it. */
import { int } from './parsers.js';

export interface SuppressionConfig {
  /** Days a hard bounce keeps its address suppressed; 0 = until removed (docs/bounces.md). */
  suppressionDays: number;
}

export function suppressionOptions() {
  // Mailboxes are re-created and remotes misreport; a month lets a wrong entry heal by itself.
  return {
    suppressionDays: { key: 'suppressionDays', env: 'MAILGATE_SUPPRESSION_DAYS', parse: int(0, 36_500, 30) },
  } as const;
}
