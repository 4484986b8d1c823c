import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['agent/**/*.test.ts', 'common/**/*.test.ts', 'cli/**/*.test.ts', 'server/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts'],
    // web unit tests (layout, URL state, CIDR checks) are pure: the default node environment is enough.
    // Packet-level and capture tests are CPU-bound; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
