import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

/**
 * `npm run test:interleavings -- --runs N [--seed S] [--no-shrink]`: issue 22's interleavings test with more seeded
 * cases than `npm test` runs (INTERLEAVINGS_RUNS, read by tests/concurrency/interleavings.test.ts). A failure prints
 * the seed and the shrunk steps; `--seed` replays it.
 */
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '50' }, seed: { type: 'string' }, 'no-shrink': { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs must be a positive whole number');
  process.exit(2);
}
const env = {
  ...process.env,
  INTERLEAVINGS_RUNS: String(runs),
  ...(values.seed ? { INTERLEAVINGS_SEED: values.seed } : {}),
  ...(values['no-shrink'] ? { INTERLEAVINGS_SHRINK: 'false' } : {}),
};
const result = spawnSync('npx', ['vitest', 'run', 'tests/concurrency/interleavings.test.ts'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
