import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['service/**/*.test.ts', 'processors/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts', 'dev/**/*.test.ts'],
    exclude: ['node_modules/**', 'force-app/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait on PostgreSQL, the org emulator or a child process rather than the CPU: three workers on a
    // 2-core machine took the suite from 374 s to 302 s (one run each, load under 2), where the default is one fewer
    // worker than cores.
    maxWorkers: 3,
    // TEST_DATABASE_URL, the local server, or one throwaway embedded server for the whole run.
    globalSetup: ['testkit/database-server.ts'],
  },
});
