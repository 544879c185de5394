import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Suites open real ports, SMTP peers and database files; two cores do best with two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
