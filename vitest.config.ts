import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start their own dynalite + sandbox on ephemeral ports: files run in parallel safely.
    pool: 'forks',
    reporters: ['default'],
    // Log lines go through the console outside Lambda (functions/observability/logger.ts), so vitest knows each
    // line's test: they are shown for failing tests only. `npm test -- --silent=false` shows them all.
    silent: 'passed-only',
    // `npm test` (--coverage) measures what the whole suite runs of the functions' code, and fails below these
    // floors (today's level, rounded down): coverage may rise, never slip. Report: coverage/index.html.
    // `npm run test:some -- <paths>` runs a part without it.
    coverage: {
      provider: 'v8',
      include: ['functions/**/*.ts'],
      reporter: ['text-summary', 'html'],
      thresholds: { lines: 96, functions: 98, branches: 87, statements: 95 },
    },
  },
});
