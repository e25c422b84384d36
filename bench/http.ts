/**
 * `npm run bench:http`: requests/s and p99 latency of GET /api/workflows/executions/:id/action-plan (the whole
 * service: auth, access check, plan and live task state) against a bare Hono route doing the same single read
 * with postgres.js, both served over real HTTP on this machine and loaded by autocannon in the same run.
 * The service reads a real PostgreSQL server (TEST_DATABASE_URL or the local one) and the local Salesforce
 * org emulator (not Salesforce). Target: ratio >= 0.7. The service serves an unchanged view from its stamp-checked
 * cache (the common case: the page polls while AI tasks run); the cache-miss render is measured too.
 */
import { serve, type ServerType } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { executionLiveState } from '../service/src/db/executions.ts';
import { planView } from '../service/src/workflows/action-plans.ts';
import { PlanCache } from '../service/src/workflows/plan-cache.ts';
import { startHarness } from '../testkit/harness.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
  });
}

async function load(url: string, headers: Record<string, string>) {
  // The load generator runs in a worker thread so it does not share the servers' event loop.
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION, workers: 1 });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const h = await startHarness({ accessCacheMs: 30_000 });
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
    const found = (await executionLiveState(h.sql, c.req.param('id'), h.deps.env.MIRROR_STUCK_AFTER_MINUTES * 60_000))!;
    const plan = (await plans.get(h.sql, found.plan!))!;
    return c.json({ plan: await planView(h.deps, plan, found.execution, found.tasks) });
  });
  const coldServer = await listen(cold.fetch);

  const headers = { authorization: 'Bearer test-service-api-key-0123456789abcdef', 'x-salesforce-user-id': h.users['Jordan Lee']! };
  // Warm both up, then measure each in turn.
  await autocannon({ url: `${service.url}/api/workflows/executions/${id}/action-plan`, headers, connections: 4, duration: 1 });
  await autocannon({ url: `${baseline.url}/plan/${id}`, connections: 4, duration: 1 });
  const svc = await load(`${service.url}/api/workflows/executions/${id}/action-plan`, headers);
  const base = await load(`${baseline.url}/plan/${id}`, {});
  const miss = await load(`${coldServer.url}/plan/${id}`, {});

  console.log(`GET action plan (service)   ${svc.rps.toFixed(0)} req/s   p99 ${svc.p99} ms`);
  console.log(`bare Hono + postgres.js     ${base.rps.toFixed(0)} req/s   p99 ${base.p99} ms`);
  console.log(`ratio (service / bare)      ${(svc.rps / base.rps).toFixed(2)} (target >= 0.70), p99 ratio ${(svc.p99 / Math.max(1, base.p99)).toFixed(2)}`);
  console.log(`cache-miss render (no auth)  ${miss.rps.toFixed(0)} req/s   p99 ${miss.p99} ms   ratio ${(miss.rps / base.rps).toFixed(2)} (every poll after a task changed)`);
  service.server.close();
  coldServer.server.close();
  baseline.server.close();
} finally {
  await h.close();
}
