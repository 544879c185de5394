import { defineConfig } from 'vitest/config';

/** End-to-end files that run a second time with their gateways on PostgreSQL (helpers/backends.ts). */
const ON_BOTH_BACKENDS = [
  'test/mimecast-send.test.ts',
  'test/delivery.test.ts',
  'test/message-tracking.test.ts',
  'test/held-review.test.ts',
  'test/hold-policies.test.ts',
  'test/graph-send.test.ts',
  'test/works-send.test.ts',
  'test/works-mailbox.test.ts',
  'test/auth-guessing.test.ts',
  'test/upload-limits.test.ts',
  'test/idempotent-retries.test.ts',
  'test/mimecast-v2.test.ts',
  'test/graph-mentions.test.ts',
  'test/mimecast-vendor-details.test.ts',
  'test/queue-control.test.ts',
  'test/identities.test.ts',
  'test/ops-metrics.test.ts',
  'test/quarantine-digest.test.ts',
  'test/bounces.test.ts',
  'test/console-session.test.ts',
  'test/webhooks.test.ts',
  'test/lookup-cache.test.ts',
  'test/delivery-threads.test.ts',
];

export default defineConfig({
  test: {
    // The console's browser tests need its built assets (dist/web).
    globalSetup: ['test/helpers/console-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites open real ports, SMTP peers and database files; two cores do best with two forks.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e-on-postgres', include: ON_BOTH_BACKENDS, env: { MAILGATE_TEST_BACKEND: 'postgres' } } },
    ],
  },
});
