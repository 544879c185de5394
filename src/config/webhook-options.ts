/** The webhook dispatcher's options (docs/webhooks.md), declared beside config.ts's OPTIONS and spread into it. */
import { int, secondsList } from './parsers.js';

export interface WebhookConfig {
  /** Seconds one POST may take, connection included, before it counts as a failure. */
  webhookTimeoutSeconds: number;
  /** Seconds to wait after the n-th consecutive failure of an endpoint; the last entry repeats. */
  webhookRetrySchedule: number[];
  /** Consecutive failures after which an endpoint is disabled. */
  webhookMaxFailures: number;
  /** Milliseconds between looks at the event log for new events. */
  webhookPollMs: number;
}

export function webhookOptions() {
  // With the default schedule, 16 failures in a row span about three days (as Stripe's rule).
  return {
    webhookTimeoutSeconds: { key: 'webhookTimeoutSeconds', env: 'MAILGATE_WEBHOOK_TIMEOUT_SECONDS', parse: int(1, 300, 10) },
    webhookRetrySchedule: {
      key: 'webhookRetrySchedule',
      env: 'MAILGATE_WEBHOOK_RETRY_SCHEDULE',
      parse: secondsList('10,60,300,1800,3600,7200,14400,28800'),
    },
    webhookMaxFailures: { key: 'webhookMaxFailures', env: 'MAILGATE_WEBHOOK_MAX_FAILURES', parse: int(1, 10_000, 16) },
    webhookPollMs: { key: 'webhookPollMs', env: 'MAILGATE_WEBHOOK_POLL_MS', parse: int(10, 3_600_000, 1000) },
  } as const;
}
