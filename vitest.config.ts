import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['service/**/*.test.ts', 'processors/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts', 'dev/**/*.test.ts'],
    exclude: ['node_modules/**', 'force-app/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // TEST_DATABASE_URL, the local server, or one throwaway embedded server for the whole run.
    globalSetup: ['testkit/database-server.ts'],
  },
});
