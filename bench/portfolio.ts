/**
 * `npm run bench:portfolio`: the book of renewals at 500 opportunities. The org emulator holds 500 open renewals of
 * the demo CSM (and the database their executions, plans and tasks, from the year seed scaled down) and answers
 * every API call after 150 ms, a realistic Salesforce round trip. GET /api/portfolio is called in-process, page after
 * page and sort after sort, and p50/p95/p99 are printed against the 200 ms target, in two cases: the access check
 * cold (every page asks UserRecordAccess: two Salesforce round trips) and with the service's default 30 s access
 * cache (a CSM paging and sorting their book: one round trip once the page's ids were checked). Printed, not asserted.
 */
import { startHarness, type Harness } from '../testkit/harness.ts';
import { portfolioSeed } from '../testkit/portfolio-seed.ts';
import { seedYear } from '../testkit/year-seed.ts';

const OPPORTUNITIES = 500;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 150);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 120);
const TARGET_MS = 200;
const SORTS = ['daysToRenewal', '-daysToRenewal', 'amount', '-amount', 'stage', 'risk'];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function book(accessCacheMs: number): Promise<Harness> {
  const h = await startHarness({ accessCacheMs, seed: portfolioSeed(OPPORTUNITIES) });
  await seedYear(h.sql, { opportunities: OPPORTUNITIES, planTasks: OPPORTUNITIES * 10, finishedAiTasks: OPPORTUNITIES * 40 });
  h.org.setLatency(LATENCY_MS);
  return h;
}

/** Pages through the book with each sort in turn (pageSize 50), REQUESTS requests in all; the times in ms. */
async function measure(h: Harness): Promise<number[]> {
  const times: number[] = [];
  let cursor: string | null = null;
  let sort = 0;
  while (times.length < REQUESTS) {
    const query = `sort=${SORTS[sort % SORTS.length]}&pageSize=50${cursor ? `&cursor=${cursor}` : ''}`;
    const t0 = performance.now();
    const res = await h.api('GET', `/api/portfolio?${query}`);
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`answered ${res.status}: ${res.text.slice(0, 200)}`);
    cursor = res.body.nextCursor;
    if (!cursor) sort++;
  }
  return times.sort((a, b) => a - b);
}

console.log(`bench:portfolio — ${OPPORTUNITIES} open renewals, Salesforce latency ${LATENCY_MS} ms per call, ${REQUESTS} requests per case`);
console.log(`${'case'.padEnd(44)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)}   p99 / ${TARGET_MS} ms target`);
for (const [name, cacheMs] of [
  ['access check cold (2 Salesforce calls/page)', 0],
  ['default 30 s access cache (1 call/page)', 30_000],
] as const) {
  const h = await book(cacheMs);
  try {
    await measure(h); // warm-up: connections, JIT, the planner's statistics
    const t = await measure(h);
    const f = (ms: number) => `${ms.toFixed(0)} ms`.padStart(8);
    console.log(`${name.padEnd(44)} ${f(pct(t, 50))} ${f(pct(t, 95))} ${f(pct(t, 99))}   ${(pct(t, 99) / TARGET_MS).toFixed(2)}`);
  } finally {
    await h.close();
  }
}
