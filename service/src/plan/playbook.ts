import { offeredProcessors } from './offered.ts';
import type { Planner, PlannerOutput, PlanningInput } from './planner.ts';
import { conditionsFor, PLAYBOOK_RULES } from './playbook-rules.ts';
import { summaryOf } from './playbook-summary.ts';
import { timelineOf } from './playbook-timeline.ts';
import {
  MAX_EVIDENCE,
  type AiTask,
  type AiTaskInput,
  type ActionPlanContent,
  type CsmTask,
  type CsmTaskInput,
  type Evidence,
} from './schema.ts';
import { readSignals } from './signals.ts';
import { readStepFacts } from './step-facts.ts';
import { expectedNextWorkflow, stageWindow } from './window.ts';

/** Business days from today to a task's due date, by urgency: the closer the renewal, the sooner. */
const LEAD_DAYS = { low: [3, 5, 10, 15], medium: [2, 4, 7, 10], high: [1, 2, 4, 6], critical: [1, 1, 2, 3] } as const;

/**
 * The deterministic planner: builds a plan from the stage configuration and CRM signals (a missing economic buyer,
 * a changing primary contact, no recent activity, overdue tasks, budget pressure: `PLAYBOOK_RULES`). It is the default without a
 * model and the fallback when the model fails, so it must produce a plan that passes validation for any stage.
 */
export class PlaybookPlanner implements Planner {
  readonly name = 'playbook' as const;

  async plan(input: PlanningInput): Promise<PlannerOutput> {
    const started = performance.now();
    const content = playbookPlan(input);
    return { content, generation: { planner: 'playbook', latencyMs: Math.round(performance.now() - started) } };
  }
}

export function playbookPlan(input: PlanningInput): ActionPlanContent {
  const { context: ctx, stage, today, calendar } = input;
  const s = readSignals(ctx, today);
  const steps = readStepFacts(input.steps);
  const renewalDate = ctx.opportunity.renewalDate;
  const window = stageWindow(stage, renewalDate, today, calendar);
  const lead = LEAD_DAYS[stage.urgency];
  const due = (rank: number) => {
    const d = calendar.add(window.start, lead[Math.min(rank, lead.length - 1)]!);
    return d > window.end ? window.end : d;
  };
  const opp: Evidence = { type: 'opportunity', id: ctx.opportunity.id, field: null };
  const nextWorkflow = expectedNextWorkflow(stage, renewalDate, today, calendar);

  const aiTasks: AiTask[] = [];
  const csmTasks: CsmTask[] = [];
  const offered = new Set<string>(offeredProcessors(input));
  // Only processors offered for this renewal, and evidence only of steps that exist (bounded like any plan's).
  const ai = (t: Omit<AiTaskInput, 'key'>) => {
    if (!offered.has(t.processor)) return undefined;
    const key = `ai-${aiTasks.length + 1}`;
    aiTasks.push({
      key,
      ...t,
      dependsOn: t.dependsOn ?? [],
      assigneeRole: t.assigneeRole ?? null,
      evidence: t.evidence.slice(0, MAX_EVIDENCE),
    });
    return key;
  };
  const csm = (t: Omit<CsmTaskInput, 'key' | 'subTasks'> & { subTasks?: string[] }) => {
    const key = `csm-${csmTasks.length + 1}`;
    csmTasks.push({
      ...t,
      key,
      dependsOn: t.dependsOn ?? [],
      assigneeRole: t.assigneeRole ?? null,
      kind: t.kind ?? 'task',
      evidence: t.evidence.slice(0, MAX_EVIDENCE),
      subTasks: (t.subTasks ?? []).map((action, i) => ({ key: `${key}-${i + 1}`, action })),
    });
    return key;
  };
  const stepIds = new Set((input.steps ?? []).map((x) => x.id));

  const draft = { s, ctx, stage, today, calendar, steps, stepIds, opp, due, ai, csm, csmTasks };
  for (const rule of PLAYBOOK_RULES) rule(draft);

  // Finalize schedules nextWorkflow itself: the plan needs no workflow-scheduler task for it.
  if (nextWorkflow) nextWorkflow.conditions = conditionsFor(s, stage.name);

  const budget = Math.max(1, input.maxTasks);
  const kept = [...aiTasks.map((t) => ({ t, ai: true })), ...csmTasks.map((t) => ({ t, ai: false }))]
    .sort((a, b) => a.t.priority - b.t.priority)
    .slice(0, budget);
  const keptAi = aiTasks.filter((t) => kept.some((k) => k.t === t));
  const keptCsm = csmTasks.filter((t) => kept.some((k) => k.t === t));
  // A task whose prerequisite did not make the cut waits for nothing rather than for a task not in the plan.
  const keptKeys = new Set(kept.map((k) => k.t.key));
  for (const t of [...keptAi, ...keptCsm]) t.dependsOn = t.dependsOn.filter((k) => keptKeys.has(k));

  return {
    summary: summaryOf(input, s, steps),
    aiTasks: keptAi,
    csmTasks: keptCsm,
    timeline: timelineOf(keptAi, keptCsm, nextWorkflow, today, calendar, due),
    nextWorkflow,
  };
}
