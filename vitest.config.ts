import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The databases migrated once per run, which each test file clones.
    globalSetup: ['test/setup/databases.ts'],
    // Real services (Redis, PostgreSQL, SMTP, Chroma) make tests slower than unit tests; files run in parallel.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/faults/**', 'test/scale/**'] },
      },
      {
        extends: true,
        test: {
          // The fault suite (`npm run test:faults`) runs whole process stacks and breaks their
          // services on purpose: after the main suite, not beside it, so neither slows the other.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // The scale suite (`npm run test:scale`): a Redis Cluster and worker hosts in network
          // namespaces. Minutes long, so not part of `npm test`; its figures are in docs/scaling.md.
          name: 'scale',
          include: ['test/scale/**/*.test.ts'],
          // One file at a time: each starts a dozen processes, and two at once starve each other on 2 cores.
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
