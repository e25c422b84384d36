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
import { inSpan, installTracing } from '../../service/src/tracing.ts';
import { startHarness, type Harness } from '../../testkit/harness.ts';

const exporter = new InMemorySpanExporter();
installTracing({ exporter });

const named = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

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
