import { defineConfig } from 'vitest/config';

// The emulator's own tests, run from its folder (`npm test -w @renewal-action-plans/org-emulator`); the project's
// root configuration runs them too, with the rest of the suite. They need no database.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
