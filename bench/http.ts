/**
 * `npm run bench:http`: requests/s and p99 latency of GET /api/workflows/executions/:id/action-plan (the whole
 * service: auth, access check, plan and live task state) against a bare Hono route doing the same single read
 * with postgres.js, both served over real HTTP on this machine and loaded by autocannon in the same run.
 * The service reads a real PostgreSQL server (TEST_DATABASE_URL or the local one) and the local Salesforce
 * org emulator (not Salesforce). Target: ratio >= 0.7. The service serves an unchanged view from its stamp-checked
 * cache (the common case: the page polls while AI tasks run); the cache-miss render is measured too (target >= 0.7).
 * The three are loaded in turn, in ROUNDS rounds, and summed, so a change in the machine's load hits all of them.
 * Then the p95 of `generate` (playbook planner, demo opportunity) with the emulator answering in 150 ms per call, so
 * that one more sequential Salesforce call shows as +150 ms.
 */
import { serve, type ServerType } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { executionLiveState } from '../service/src/db/executions.ts';
import { planView } from '../service/src/routes/plan-view.ts';
import { PlanCache } from '../service/src/workflows/plan-cache.ts';
import { startHarness } from '../testkit/harness.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GENERATES = Number(process.env.BENCH_GENERATES ?? 20);
const SALESFORCE_LATENCY_MS = 150;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
  });
}

async function load(url: string, headers: Record<string, string>) {
  // The load generator runs in a worker thread so it does not share the servers' event loop.
  const result = await autocannon({
    url,
    headers,
    connections: CONNECTIONS,
    duration: Math.max(1, Math.round(DURATION / ROUNDS)),
    workers: 1,
  });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { requests: result.requests.total, seconds: result.duration, p99: result.latency.p99 };
}

// Header-only (SERVICE_TRUST_HEADER_ONLY): autocannon repeats one set of headers, and a signed assertion is accepted
// once. So this measures the plan view's serving, not the assertion's check (one RSA verify and one INSERT a request).
const h = await startHarness({
  identity: 'header-only',
  accessCacheMs: 30_000,
  env: { PLAN_GENERATE_LIMIT_PER_USER: String(GENERATES + 5), PLAN_GENERATE_LIMIT_PER_EXECUTION: String(GENERATES + 5) },
});
try {
  const { executionId: id } = await h.finalizedPlan();

  const service = await listen(h.app.fetch);
  const bare = new Hono().get('/plan/:id', async (c) => {
    const [row] = await h.sql`SELECT content FROM action_plans WHERE execution_id = ${c.req.param('id')} AND status = 'finalized'`;
    return row ? c.json({ plan: row.content }) : c.notFound();
  });
  const baseline = await listen(bare.fetch);
  // The same render the service does when its view cache misses (a task changed since the last poll).
  const plans = new PlanCache();
  const cold = new Hono().get('/plan/:id', async (c) => {
    const found = (await executionLiveState(h.sql, c.req.param('id')))!;
    const plan = (await plans.get(h.sql, found.plan!))!;
    return c.json({ plan: await planView(h.deps, plan, found.execution, found.tasks) });
  });
  const coldServer = await listen(cold.fetch);

  const headers = { authorization: 'Bearer test-service-api-key-0123456789abcdef', 'x-salesforce-user-id': h.users['Jordan Lee']! };
  // Warm both up, then measure each in turn.
  await autocannon({ url: `${service.url}/api/workflows/executions/${id}/action-plan`, headers, connections: 4, duration: 1 });
  await autocannon({ url: `${baseline.url}/plan/${id}`, connections: 4, duration: 1 });
  const totals = {
    svc: { requests: 0, seconds: 0, p99: 0 },
    base: { requests: 0, seconds: 0, p99: 0 },
    miss: { requests: 0, seconds: 0, p99: 0 },
  };
  const add = (t: { requests: number; seconds: number; p99: number }, r: { requests: number; seconds: number; p99: number }) => {
    t.requests += r.requests;
    t.seconds += r.seconds;
    t.p99 = Math.max(t.p99, r.p99);
  };
  for (let round = 0; round < ROUNDS; round++) {
    add(totals.base, await load(`${baseline.url}/plan/${id}`, {}));
    add(totals.miss, await load(`${coldServer.url}/plan/${id}`, {}));
    add(totals.svc, await load(`${service.url}/api/workflows/executions/${id}/action-plan`, headers));
  }
  const rps = (t: { requests: number; seconds: number }) => t.requests / t.seconds;
  const [svc, base, miss] = [totals.svc, totals.base, totals.miss];

  console.log(
    `bench:http — ${ROUNDS} interleaved rounds, ${CONNECTIONS} connections, ${DURATION} s per server in all (p99: the worst round)`,
  );
  console.log(`GET action plan (service)   ${rps(svc).toFixed(0)} req/s   p99 ${svc.p99} ms`);
  console.log(`bare Hono + postgres.js     ${rps(base).toFixed(0)} req/s   p99 ${base.p99} ms`);
  console.log(
    `ratio (service / bare)      ${(rps(svc) / rps(base)).toFixed(2)} (target >= 0.70), p99 ratio ${(svc.p99 / Math.max(1, base.p99)).toFixed(2)}`,
  );
  console.log(
    `cache-miss render (no auth)  ${rps(miss).toFixed(0)} req/s   p99 ${miss.p99} ms   ratio ${(rps(miss) / rps(base)).toFixed(2)} (target >= 0.70; every poll after a task changed)`,
  );

  // Generation latency: Salesforce answering in 150 ms per call; a regenerate reads the CRM context afresh.
  h.org.setLatency(SALESFORCE_LATENCY_MS);
  const generate = [];
  for (let i = 0; i < GENERATES; i++) {
    const t0 = performance.now();
    const res = await h.api('POST', `/api/workflows/executions/${id}/action-plan/generate`);
    if (res.status !== 201) throw new Error(`generate answered ${res.status}: ${res.text.slice(0, 200)}`);
    generate.push(performance.now() - t0);
  }
  h.org.setLatency(0);
  generate.sort((a, b) => a - b);
  const p95 = generate[Math.min(generate.length - 1, Math.floor(0.95 * generate.length))]!;
  console.log(
    `generate (playbook, demo opportunity, Salesforce at ${SALESFORCE_LATENCY_MS} ms per call): p50 ${generate[Math.floor(generate.length / 2)]!.toFixed(0)} ms, ` +
      `p95 ${p95.toFixed(0)} ms over ${GENERATES} (${(p95 / SALESFORCE_LATENCY_MS).toFixed(1)} × the call latency; one sequential context read, access cached)`,
  );
  service.server.close();
  coldServer.server.close();
  baseline.server.close();
} finally {
  await h.close();
}
