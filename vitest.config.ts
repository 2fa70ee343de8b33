import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The databases migrated once per run, which each test file clones.
    globalSetup: ['test/setup/databases.ts'],
    // Real services (Redis, PostgreSQL, SMTP, Chroma) make tests slower than unit tests; files run in parallel.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
