/**
 * OpenTelemetry traces with an in-memory exporter (no network): one finalize and one executor run produce the
 * expected span tree, the AI tasks keep the finalize's trace context and their runs link to it, and the trace id is
 * in the error body and the log lines.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processorRegistry } from '../../processors/registry.ts';
import { Executor } from '../../service/src/executor/executor.ts';
import { executorOptions } from '../../service/src/executor/options.ts';
import { processorServices } from '../../service/src/executor/services.ts';
import { createLogger } from '../../service/src/log.ts';
import { LlmPlanner } from '../../service/src/plan/llm-planner.ts';
import { PlaybookPlanner } from '../../service/src/plan/playbook.ts';
import { inSpan, installTracing } from '../../service/src/tracing.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';
import { startOpenAiTestServer } from '../openai-server/server.ts';

const exporter = new InMemorySpanExporter();
installTracing({ exporter });

const named = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
/** Whether `span` sits under `ancestor` in the finished spans' tree. */
function under(span: ReadableSpan, ancestor: ReadableSpan): boolean {
  const byId = new Map(exporter.getFinishedSpans().map((s) => [s.spanContext().spanId, s]));
  for (let at = parentOf(span); at; at = byId.get(at) && parentOf(byId.get(at)!)) if (at === ancestor.spanContext().spanId) return true;
  return false;
}

describe('traces', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('links each AI task run to the finalize request that created it, through the context stored with the tasks', async () => {
    const { executionId, plan } = await h.finalizedPlan();
    expect(plan.status).toBe('finalized');
    const [finalize, ...others] = named('POST /api/workflows/executions/:id/action-plan/finalize');
    expect(others).toEqual([]);
    expect(finalize!.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.method': 'POST' });
    expect(parentOf(finalize!)).toBeUndefined();
    const { traceId, spanId } = finalize!.spanContext();

    // The plan and each of its tasks keep the finalize's traceparent (version 00, its trace and span, sampled).
    const [planRow] = await h.sql`SELECT trace_parent FROM action_plans WHERE execution_id = ${executionId} AND status = 'finalized'`;
    expect(planRow!.trace_parent).toBe(`00-${traceId}-${spanId}-01`);
    const aiRows = await h.sql`SELECT id, processor, trace_parent FROM workflow_tasks WHERE execution_id = ${executionId} AND auto_execute`;
    expect(aiRows.length).toBeGreaterThan(1);
    for (const row of aiRows) expect(row.trace_parent).toBe(`00-${traceId}-${spanId}-01`);

    exporter.reset();
    const executor = new Executor({
      db: h.db,
      registry: processorRegistry,
      services: processorServices(h.deps),
      options: { ...executorOptions(h.deps.env, 'trace-worker'), retryDelayMs: 0 },
    });
    const outcomes = await executor.runOnce();
    expect(outcomes.length).toBeGreaterThan(0);

    const [run, ...moreRuns] = named('executor run-once');
    expect(moreRuns).toEqual([]);
    const taskSpans = exporter.getFinishedSpans().filter((s) => s.name.startsWith('ai-task '));
    // One span per task the run claimed, each a child of the run, in the run's own trace, linked to the finalize.
    expect(taskSpans.map((s) => s.attributes['rap.task_id']).sort()).toEqual(outcomes.map((o) => o.taskId).sort());
    for (const span of taskSpans) {
      expect(parentOf(span)).toBe(run!.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(run!.spanContext().traceId);
      expect(span.links.map((l) => l.context)).toEqual([expect.objectContaining({ traceId, spanId })]);
      const row = aiRows.find((r) => r.id === span.attributes['rap.task_id'])!;
      expect(span.name).toBe(`ai-task ${row.processor}`);
      expect(span.attributes['rap.execution_status']).toBe(outcomes.find((o) => o.taskId === row.id)!.status);
    }
    expect(run!.spanContext().traceId).not.toBe(traceId);
  });

  it("shows a generation's Salesforce calls, its planner and each model call, fallback included, under the request", async () => {
    const start = await h.api('POST', '/api/workflows/executions', { opportunityId: h.discoveryId });
    const generatePath = `/api/workflows/executions/${start.body.execution.id}/action-plan/generate`;
    const server = await startOpenAiTestServer();
    // A model whose answers never pass validation: the plan is asked for, repaired once, then the playbook writes it.
    server.respondWith({ content: {} });
    try {
      const planners = [
        new PlaybookPlanner(),
        new LlmPlanner({ apiKey: 'test-key', baseURL: server.url, model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 }),
        // Nothing listens there: the model call fails and the playbook writes the plan.
        new LlmPlanner({ apiKey: 'test-key', baseURL: 'http://127.0.0.1:1/v1', model: 'gpt-4o-mini', timeoutMs: 10_000, maxRetries: 0 }),
      ];
      const seen: { generation: Record<string, unknown>; models: Record<string, unknown>[] }[] = [];
      for (const planner of planners) {
        exporter.reset();
        h.deps.planner = planner;
        expect((await h.api('POST', generatePath)).status).toBe(201);
        const [request] = named('POST /api/workflows/executions/:id/action-plan/generate');
        const [generation] = named('plan generate');
        expect(under(generation!, request!)).toBe(true);
        // The CRM reads of the request are spans of its own, with their object, operation and outcome.
        const reads = exporter.getFinishedSpans().filter((s) => s.name === 'salesforce query Opportunity' && under(s, request!));
        expect(reads.length).toBeGreaterThan(0);
        for (const read of reads) expect(read.attributes).toMatchObject({ 'salesforce.operation': 'query', 'salesforce.status': 'ok' });
        const models = named('model plan');
        for (const model of models) expect(under(model, generation!)).toBe(true);
        seen.push({
          generation: generation!.attributes,
          models: models.map((m): Record<string, unknown> => ({ ...m.attributes, failed: m.status.code === 2 })),
        });
      }
      const [playbook, model, down] = seen;
      expect(playbook!.generation).toMatchObject({
        'rap.planner.asked': 'playbook',
        'rap.planner': 'playbook',
        'rap.plan.fallback': false,
      });
      expect(playbook!.models).toEqual([]);
      expect(model!.generation).toMatchObject({ 'rap.planner.asked': 'llm', 'rap.planner': 'playbook', 'rap.plan.fallback': true });
      expect(String(model!.generation['rap.plan.fallback_reason'])).toMatch(/failed validation/);
      expect(model!.models).toHaveLength(2);
      for (const call of model!.models) {
        expect(call).toMatchObject({ 'rap.model.profile': expect.any(String), 'gen_ai.request.model': 'gpt-4o-mini', failed: false });
        expect(Number(call['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
      }
      expect(down!.generation).toMatchObject({ 'rap.planner.asked': 'llm', 'rap.planner': 'playbook', 'rap.plan.fallback': true });
      expect(String(down!.generation['rap.plan.fallback_reason'])).toMatch(/AI planner|model|connect/i);
      expect(down!.models).toEqual([expect.objectContaining({ failed: true })]);
    } finally {
      h.deps.planner = new PlaybookPlanner();
      await server.close();
    }
  });

  it('puts the trace id in an error response and in the log lines of the request', async () => {
    exporter.reset();
    const res = await h.api('GET', '/api/workflows/executions/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    const [span] = named('GET /api/workflows/executions/:id');
    expect(res.body.error.traceId).toBe(span!.spanContext().traceId);
    expect(res.body.error.traceId).toMatch(/^[0-9a-f]{32}$/);

    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.info('outside any span');
    const inside = await inSpan('work', {}, async (s) => {
      log.info('inside a span');
      return s.spanContext().traceId;
    });
    expect(JSON.parse(lines[0]!).traceId).toBeUndefined();
    expect(JSON.parse(lines[1]!).traceId).toBe(inside);
  });
});
