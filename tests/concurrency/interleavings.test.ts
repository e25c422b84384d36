import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settle, violations } from '../../testkit/interleavings/invariants.ts';
import { describeOperation, operation, runOperation, type Operation } from '../../testkit/interleavings/operations.ts';
import { startWorld, type World } from '../../testkit/interleavings/world.ts';

/**
 * Issue 22's model-based concurrency test: random sequences of steps, each step one to three operations issued at
 * once (`Promise.all`) on two service instances sharing one database (two postgres.js pools, so they really interleave
 * at the database) and the org emulator, with injected Salesforce faults; then the system settles and the six
 * invariants are checked, Salesforce's side read through jsforce. fast-check's model-based runner (`fc.commands`,
 * `fc.asyncModelRun`) generates, replays and shrinks the steps; a failure prints the seed and the shrunk steps.
 *
 * `npm test` runs INTERLEAVINGS_RUNS (default 8: about 40 s) seeded cases; `npm run test:interleavings -- --runs N` runs more.
 * INTERLEAVINGS_SEED replays a failure.
 */
const RUNS = Number(process.env.INTERLEAVINGS_RUNS ?? 8);
const SEED = process.env.INTERLEAVINGS_SEED ? Number(process.env.INTERLEAVINGS_SEED) : 22;

/** The model: what the test itself did that the invariants need (the world keeps it); nothing to predict per step. */
type Model = { steps: number };

/** One step: its operations issued together, each on its instance. */
class Together implements fc.AsyncCommand<Model, World> {
  constructor(readonly ops: Operation[]) {}
  check = () => true;
  async run(model: Model, world: World): Promise<void> {
    model.steps++;
    await Promise.all(this.ops.map((op) => runOperation(world, op)));
  }
  toString = () => `together(${this.ops.map(describeOperation).join(' | ')})`;
}

/**
 * A step: any one to three operations, or (a quarter of the steps) the shape that raced in issue 22: the two
 * prerequisites of one task completed at once on the two instances, with at most one other operation.
 */
const race = fc
  .tuple(fc.array(operation, { maxLength: 1 }), fc.boolean())
  .map(([other, swap]): Operation[] => [
    { kind: 'complete', at: 0, on: swap ? 1 : 0 },
    { kind: 'complete', at: 1, on: swap ? 0 : 1 },
    ...other,
  ]);
const step = fc
  .oneof({ weight: 3, arbitrary: fc.array(operation, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: race })
  .map((ops) => new Together(ops));

describe('invariants under any interleaving of two instances', () => {
  it(
    'hold after random interleavings with Salesforce faults, once the system settles',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands([step], { maxCommands: 8 }), async (commands) => {
          const world = await startWorld();
          try {
            await fc.asyncModelRun(() => ({ model: { steps: 0 }, real: world }), commands);
            await settle(world);
            const found = await violations(world);
            expect(found, found.join('\n')).toEqual([]);
          } finally {
            await world.close();
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: process.env.INTERLEAVINGS_SHRINK === 'false' },
      );
    },
    RUNS * 60_000 + 600_000,
  );
});
