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
    // Log lines go through the console outside Lambda (functions/shared/logger.ts), so vitest knows each
    // line's test: they are shown for failing tests only. `npm test -- --silent=false` shows them all.
    silent: 'passed-only',
  },
});
