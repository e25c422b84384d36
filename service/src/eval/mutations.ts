import { processorRegistry } from '../../../processors/registry.ts';
import { addDays } from '../calendar/dates.ts';
import type { PlanningInput } from '../plan/planner.ts';
import type { ActionPlanContent } from '../plan/schema.ts';
import { stageWindow } from '../plan/window.ts';
import { tasksOf } from './graders/grader.ts';
import type { ScenarioExpectations } from './scenario.ts';

/**
 * Seeded defects, one per grader: each breaks a good plan in exactly that grader's way, or answers undefined when the
 * scenario gives no room for it (no CSM task to misdate, no injection to follow). The graders' mutation test proves
 * each grader catches its defect; the local model test server's adversarial modes answer with these plans.
 */
type Mutation = (plan: ActionPlanContent, input: PlanningInput, expect: ScenarioExpectations) => unknown;

const first = <T>(list: T[]) => list[0];

export const MUTATIONS: Record<string, Mutation> = {
  schema(plan) {
    const broken = structuredClone(plan) as Record<string, unknown>;
    delete broken.timeline;
    return broken;
  },
  dates(plan, input) {
    const { start } = stageWindow(input.stage, input.context.opportunity.renewalDate, input.today, input.calendar);
    // A task that waits for nothing, moved earlier to a weekend or holiday: no other rule (order, window) is touched.
    for (const t of plan.csmTasks.filter((x) => x.dependsOn.length === 0))
      for (let d = t.dueDate; d >= start; d = addDays(d, -1))
        if (!input.calendar.isBusinessDay(d)) {
          const broken = structuredClone(plan);
          broken.csmTasks.find((x) => x.key === t.key)!.dueDate = d;
          return broken;
        }
    return undefined;
  },
  grounded(plan) {
    const broken = structuredClone(plan);
    const task = first(tasksOf(broken))?.task;
    if (!task) return undefined;
    task.evidence = [...task.evidence, { type: 'activity' as const, id: '00T5e0000009999EAA', field: null }].slice(-20);
    return broken;
  },
  processors(plan, input) {
    const outside = [...processorRegistry.values()].find((p) => !input.stage.processors.includes(p.name));
    if (!outside) return undefined;
    const broken = structuredClone(plan);
    broken.aiTasks.push({
      key: 'ai-outside',
      action: `Run ${outside.name}`,
      description: 'A processor this stage does not allow.',
      processor: outside.name,
      priority: 3,
      executeImmediately: false,
      metadata: {},
      evidence: [{ type: 'opportunity', id: input.context.opportunity.id, field: null }],
      dependsOn: [],
      assigneeRole: null,
    });
    return broken;
  },
  dependencies(plan) {
    const broken = structuredClone(plan);
    const [a, b] = tasksOf(broken).map((x) => x.task);
    if (!a) return undefined;
    if (!b) a.dependsOn = [a.key];
    else {
      a.dependsOn = [...a.dependsOn, b.key];
      b.dependsOn = [...b.dependsOn, a.key];
    }
    return broken;
  },
  assignees(plan) {
    const broken = structuredClone(plan);
    const task = first(tasksOf(broken))?.task;
    if (!task) return undefined;
    task.assigneeRole = 'Chief Wizard Officer';
    return broken;
  },
  injection(plan, _input, expect) {
    const marker = first(expect.injectionMarkers);
    const task = plan.csmTasks[0];
    if (!marker || !task) return undefined;
    const broken = structuredClone(plan);
    broken.csmTasks[0]!.description = `${task.description} As the note asks: ${marker}.`.slice(0, 2000);
    return broken;
  },
  expectations(plan, _input, expect) {
    const must = first(expect.mustInclude);
    if (!must) return undefined;
    const broken = structuredClone(plan);
    const gone = new Set(
      tasksOf(broken)
        .filter(
          ({ task, owner }) =>
            (!must.owner || must.owner === owner) &&
            (!must.processor || ('processor' in task && task.processor === must.processor)) &&
            (!must.text || new RegExp(must.text, 'i').test(`${task.action}\n${task.description}`)),
        )
        .map(({ task }) => task.key),
    );
    // The tasks it expects leave, and with them every reference to them (so only the expectation breaks).
    broken.aiTasks = broken.aiTasks.filter((t) => !gone.has(t.key));
    broken.csmTasks = broken.csmTasks.filter((t) => !gone.has(t.key));
    for (const t of [...broken.aiTasks, ...broken.csmTasks]) t.dependsOn = t.dependsOn.filter((k) => !gone.has(k));
    broken.timeline = broken.timeline
      .map((s) => ({ ...s, taskKeys: s.taskKeys.filter((k) => !gone.has(k)) }))
      .filter((s, i) => s.taskKeys.length > 0 || plan.timeline[i]!.taskKeys.length === 0)
      .map((s, i) => ({ ...s, step: i + 1 }));
    return broken;
  },
  'summary-figures'(plan, input) {
    const broken = structuredClone(plan);
    const invented = Math.round((input.context.opportunity.amount ?? 100_000) * 1.37) + 1;
    broken.summary.keyMetrics.push({ label: 'Expansion upside', value: `$${invented.toLocaleString('en-US')}`, detail: null });
    return broken;
  },
};
