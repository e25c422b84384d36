/**
 * `npm run bench:scale`: a year at scale. Two copies of the service on the real PostgreSQL server, one with an empty
 * database (the demo plan only), one seeded with a year of data (5,000 opportunities, 50,000 plan tasks, 200,000
 * finished AI task rows, then VACUUM ANALYZE); the routes the LWC and the operator use are measured on both,
 * interleaved call by call in rounds, as p50/p99 in-process (no network). Target: p99 at scale ≤ 2× the empty figure.
 */
import { executionLiveState } from '../service/src/db/plan-view-state.ts';
import { claimQueuedTasks, claimTaskNow, releaseTasks } from '../service/src/db/queue.ts';
import { insertAiTasks } from '../testkit/executor/fixtures.ts';
import { startHarness, type Harness } from '../testkit/harness.ts';
import { A_YEAR, seedYear } from '../testkit/year-seed.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 30);
const claimOptions = { workerId: 'bench-scale', leaseMs: 60_000, maxAttempts: 3 };

interface Subject {
  name: string;
  h: Harness;
  executionId: string;
  aiTaskId: string;
}

async function subject(name: string, seed: boolean): Promise<Subject> {
  const h = await startHarness({ accessCacheMs: 3_600_000 });
  const { executionId } = await h.finalizedPlan();
  const [plan] = await h.sql<{ id: string }[]>`SELECT id FROM action_plans WHERE execution_id = ${executionId} AND status = 'finalized'`;
  // Queued AI tasks for the claim (released after each measurement, so the queue stays the same).
  const [aiTaskId] = await insertAiTasks(
    h.sql,
    { executionId, planId: plan!.id },
    Array.from({ length: 20 }, () => ({ processor: 'crm-opportunity-updater' })),
    h.discoveryId,
  );
  if (seed) {
    const started = performance.now();
    await seedYear(h.sql, A_YEAR);
    console.log(
      `seeded ${A_YEAR.opportunities} opportunities, ${A_YEAR.planTasks} plan tasks, ${A_YEAR.finishedAiTasks} finished AI task rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } else await h.sql`VACUUM ANALYZE`;
  return { name, h, executionId, aiTaskId: aiTaskId! };
}

const ops: { name: string; run: (s: Subject) => Promise<unknown> }[] = [
  { name: 'GET plan view (route)', run: (s) => ok(s.h.api('GET', `/api/workflows/executions/${s.executionId}/action-plan`)) },
  {
    name: 'plan view live state (cache miss)',
    run: (s) => executionLiveState(s.h.sql, s.executionId, s.h.deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000),
  },
  {
    name: 'GET tasks ?opportunity&status, page 1',
    run: (s) => ok(s.h.api('GET', `/api/workflows/tasks?opportunity_id=${s.h.discoveryId}&status=pending&limit=5`)),
  },
  {
    name: 'GET tasks, page 2 (cursor)',
    run: async (s) => {
      const first = await ok(s.h.api('GET', `/api/workflows/tasks?opportunity_id=${s.h.discoveryId}&limit=3`));
      return ok(s.h.api('GET', `/api/workflows/tasks?opportunity_id=${s.h.discoveryId}&limit=3&cursor=${first.body.nextCursor}`));
    },
  },
  {
    name: 'execute (claim one task now)',
    run: async (s) => {
      const t = await claimTaskNow(s.h.sql, s.aiTaskId, claimOptions);
      await releaseTasks(s.h.sql, [t!]);
    },
  },
  {
    name: 'queue claim (batch of 10)',
    run: async (s) => {
      const claimed = await claimQueuedTasks(s.h.sql, 10, claimOptions);
      await releaseTasks(s.h.sql, claimed);
    },
  },
];

async function ok<T extends { status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p;
  if (r.status !== 200) throw new Error(`answered ${r.status}: ${r.text.slice(0, 200)}`);
  return r;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const empty = await subject('empty', false);
const year = await subject('a year', true);
try {
  const times = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of ops) {
      // Call by call, the two databases in turn: a pause of this process (its garbage collector, a timer of either
      // service) or of the machine lands on either side alike, not on a block of one side's calls.
      for (let i = 0; i < PER_ROUND; i++) {
        for (const s of (round + i) % 2 ? [year, empty] : [empty, year]) {
          const key = `${op.name}|${s.name}`;
          const list = times.get(key) ?? [];
          const t0 = performance.now();
          await op.run(s);
          list.push(performance.now() - t0);
          times.set(key, list);
        }
      }
    }
  }
  console.log(`bench:scale — ${ROUNDS} rounds × ${PER_ROUND} calls per route and database, interleaved`);
  console.log(`${'route'.padEnd(40)} ${'empty p50/p99'.padStart(16)} ${'a year p50/p99'.padStart(16)}   p99 ratio (target ≤ 2.0)`);
  let met = true;
  for (const op of ops) {
    const e = times.get(`${op.name}|empty`)!.sort((a, b) => a - b);
    const y = times.get(`${op.name}|a year`)!.sort((a, b) => a - b);
    const ratio = pct(y, 99) / pct(e, 99);
    met &&= ratio <= 2;
    const f = (s: number[]) => `${pct(s, 50).toFixed(1)}/${pct(s, 99).toFixed(1)} ms`.padStart(16);
    console.log(`${op.name.padEnd(40)} ${f(e)} ${f(y)}   ${ratio.toFixed(2)}`);
  }
  console.log(met ? 'target met: every p99 at scale ≤ 2× the empty figure' : 'TARGET NOT MET');
} finally {
  await empty.h.close();
  await year.h.close();
}
