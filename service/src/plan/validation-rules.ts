import { processorRegistry } from '../../../processors/registry.ts';
import { idKey } from '../salesforce/ids.ts';
import { dependencyDepth, dependencyErrors } from './dependencies.ts';
import { contextIdKeys, unknownIds } from './known-ids.ts';
import { offeredProcessors } from './offered.ts';
import type { PlanningInput } from './planner.ts';
import type { ActionPlanContent, Evidence } from './schema.ts';
import { clampDate, dueAfterPrerequisites, reason, timelineAfterPrerequisites } from './validation-dates.ts';
import { expectedNextWorkflow, stageWindow } from './window.ts';

/**
 * The rules every plan passes (validate.ts runs them): checks, which only report what cannot be fixed, and fixes, which
 * correct the plan in place and say what they changed. Each rule is named and small; the tables give their order, which
 * is the order of the messages.
 */

type AiTask = ActionPlanContent['aiTasks'][number];
type CsmTask = ActionPlanContent['csmTasks'][number];
type Step = ActionPlanContent['timeline'][number];

/** What the rules read, computed once per plan (the stage window, the next workflow, the ids the plan may name). */
export interface PlanFacts {
  plan: ActionPlanContent;
  input: PlanningInput;
  trimOverCap: boolean;
  window: { start: string; end: string };
  /** The next workflow the stage table schedules (undefined after the last stage). */
  expected: ReturnType<typeof expectedNextWorkflow>;
  accountContacts: Set<string>;
  knownEvidence: Record<Evidence['type'], Set<string>>;
  registry: NonNullable<PlanningInput['processors']>;
  offered: string[];
  knownIds: Set<string>;
  /** Task keys seen so far by `unique-key` (ai tasks, then CSM tasks and their sub-tasks). */
  seenKeys: Set<string>;
}

export function planFacts(plan: ActionPlanContent, input: PlanningInput, trimOverCap = false): PlanFacts {
  const { context: ctx, stage, today, calendar } = input;
  const accountContacts = new Set(ctx.contactRoles.filter((r) => r.contact.accountId === ctx.account.id).map((r) => idKey(r.contactId)));
  const knownIds = contextIdKeys(ctx);
  for (const id of (input.steps ?? []).flatMap((s) => unknownIds(s.output, knownIds))) knownIds.add(idKey(id));
  return {
    plan,
    input,
    trimOverCap,
    window: stageWindow(stage, ctx.opportunity.renewalDate, today, calendar),
    expected: expectedNextWorkflow(stage, ctx.opportunity.renewalDate, today, calendar),
    accountContacts,
    knownEvidence: {
      opportunity: new Set([ctx.opportunity.id]),
      account: new Set([ctx.account.id]),
      contact: accountContacts,
      contactRole: new Set(ctx.contactRoles.map((r) => r.id)),
      activity: new Set(ctx.activities.map((a) => a.id)),
      user: new Set([ctx.owner.id]),
      step: new Set((input.steps ?? []).map((s) => s.id)),
    },
    registry: input.processors ?? processorRegistry,
    offered: offeredProcessors(input),
    knownIds,
    seenKeys: new Set(),
  };
}

interface PlanCheck {
  name: string;
  errors(f: PlanFacts): string[];
}
interface TaskCheck<T> {
  name: string;
  errors(t: T, where: string, f: PlanFacts): string[];
}
interface PlanFix {
  name: string;
  /** Corrects the plan in place; the corrections in words for the CSM. */
  apply(f: PlanFacts): string[];
}
interface TaskFix<T> {
  name: string;
  apply(t: T, f: PlanFacts): string[];
}

// ---- checks ----

const uniqueKey = (key: string, where: string, f: PlanFacts): string[] => {
  const dup = f.seenKeys.has(key);
  f.seenKeys.add(key);
  return dup ? [`${where}: duplicate task key ${key}`] : [];
};
const evidenceInContext = (evidence: Evidence[], where: string, f: PlanFacts): string[] =>
  evidence
    .filter((e) => !f.knownEvidence[e.type].has(e.type === 'contact' ? idKey(e.id) : e.id))
    .map((e) => `${where}: evidence ${e.type} ${e.id} is not in this opportunity's CRM context`);
/** The processor of an AI task when the plan may use it (registered, plannable, offered); the later checks need it. */
const usableProcessor = (t: AiTask, f: PlanFacts) => {
  const p = f.registry.get(t.processor);
  return p && !p.notPlannable && f.offered.includes(t.processor) ? p : undefined;
};

export const AI_TASK_CHECKS: readonly TaskCheck<AiTask>[] = [
  { name: 'unique-key', errors: (t, where, f) => uniqueKey(t.key, where, f) },
  { name: 'evidence-in-context', errors: (t, where, f) => evidenceInContext(t.evidence, where, f) },
  {
    name: 'processor-offered',
    errors(t, where, f) {
      const processor = f.registry.get(t.processor);
      if (!processor) return [`${where}: processor "${t.processor}" is not one of ${[...f.registry.keys()].join(', ')}`];
      if (processor.notPlannable) return [`${where}: ${processor.notPlannable}`];
      if (!f.offered.includes(t.processor))
        return [`${where}: processor ${t.processor} is not offered for this renewal (offered: ${f.offered.join(', ') || 'none'})`];
      return [];
    },
  },
  {
    name: 'metadata-ids-known',
    errors: (t, where, f) =>
      usableProcessor(t, f)
        ? unknownIds(t.metadata, f.knownIds).map(
            (id) => `${where}: metadata names ${id}, which is not in this opportunity's CRM context or step outputs`,
          )
        : [],
  },
  {
    name: 'metadata-schema',
    errors(t, where, f) {
      const meta = usableProcessor(t, f)?.metadata.safeParse(t.metadata);
      return meta && !meta.success ? meta.error.issues.map((x) => `${where}: metadata.${x.path.join('.')}: ${x.message}`) : [];
    },
  },
  {
    name: 'processor-grounding',
    errors(t, where, f) {
      const processor = usableProcessor(t, f);
      const meta = processor?.metadata.safeParse(t.metadata);
      if (!processor || !meta?.success) return [];
      return (processor.groundingErrors?.(meta.data, f.input.context) ?? []).map((e) => `${where}: ${e}`);
    },
  },
];

export const CSM_TASK_CHECKS: readonly TaskCheck<CsmTask>[] = [
  {
    name: 'unique-key',
    errors: (t, where, f) => [...uniqueKey(t.key, where, f), ...t.subTasks.flatMap((s) => uniqueKey(s.key, `${where} sub-task`, f))],
  },
  { name: 'evidence-in-context', errors: (t, where, f) => evidenceInContext(t.evidence, where, f) },
  {
    name: 'contact-on-account',
    errors: (t, where, f) =>
      t.contactId && !f.accountContacts.has(idKey(t.contactId))
        ? [`${where}: contact ${t.contactId} has no contact role on this opportunity's account`]
        : [],
  },
];

const whereOf = (plan: ActionPlanContent) => (key: string) => {
  const ai = plan.aiTasks.findIndex((t) => t.key === key);
  return ai >= 0 ? `aiTasks.${ai} (${key})` : `csmTasks.${plan.csmTasks.findIndex((t) => t.key === key)} (${key})`;
};
const taskTotal = (plan: ActionPlanContent) => plan.aiTasks.length + plan.csmTasks.length;

export const PLAN_CHECKS: readonly PlanCheck[] = [
  {
    name: 'processor-per-plan',
    errors: (f) =>
      [...f.registry.values()].flatMap((p) => {
        const count = f.plan.aiTasks.filter((t) => t.processor === p.name).length;
        return p.perPlan && count > p.perPlan.max
          ? [`aiTasks: ${count} ${p.perPlan.noun}; a plan makes at most ${p.perPlan.max === 1 ? 'one' : p.perPlan.max}`]
          : [];
      }),
  },
  {
    name: 'ai-tasks',
    errors: (f) => f.plan.aiTasks.flatMap((t, i) => AI_TASK_CHECKS.flatMap((c) => c.errors(t, `aiTasks.${i} (${t.key})`, f))),
  },
  {
    name: 'csm-tasks',
    errors: (f) => f.plan.csmTasks.flatMap((t, i) => CSM_TASK_CHECKS.flatMap((c) => c.errors(t, `csmTasks.${i} (${t.key})`, f))),
  },
  { name: 'dependencies', errors: (f) => dependencyErrors(f.plan, whereOf(f.plan)) },
  {
    name: 'task-cap',
    errors: (f) =>
      taskTotal(f.plan) > f.input.maxTasks && !f.trimOverCap
        ? [
            `plan: ${taskTotal(f.plan)} tasks exceed the limit of ${f.input.maxTasks} (AI and CSM together); keep the ${f.input.maxTasks} that matter most`,
          ]
        : [],
  },
  {
    name: 'next-workflow-stage',
    errors({ plan, expected, input: { stage } }) {
      if (!expected && plan.nextWorkflow) return [`nextWorkflow: ${stage.name} is the last stage; there is no next workflow`];
      if (expected && !plan.nextWorkflow) return [`nextWorkflow: ${stage.name} must schedule ${expected.stage}`];
      if (expected && plan.nextWorkflow && plan.nextWorkflow.stage !== expected.stage)
        return [`nextWorkflow: after ${stage.name} comes ${expected.stage}, not ${plan.nextWorkflow.stage}`];
      return [];
    },
  },
];

// ---- fixes ----

export const CSM_TASK_FIXES: readonly TaskFix<CsmTask>[] = [
  {
    name: 'complex-when-sub-tasks',
    apply(t) {
      if (t.subTasks.length === 0 || t.complexity === 'complex') return [];
      const was = t.complexity;
      t.complexity = 'complex';
      return [`${t.action}: has sub-tasks, so its complexity became complex (was ${was})`];
    },
  },
  {
    name: 'due-date-in-window',
    apply(t, { window, input: { calendar } }) {
      const moved = clampDate(t.dueDate, window, calendar);
      if (moved === t.dueDate) return [];
      const fix = `${t.action}: due date moved from ${t.dueDate} to ${moved} (${reason(t.dueDate, window, calendar)})`;
      t.dueDate = moved;
      return [fix];
    },
  },
];

export const PLAN_FIXES: readonly PlanFix[] = [
  { name: 'csm-tasks', apply: (f) => f.plan.csmTasks.flatMap((t) => CSM_TASK_FIXES.flatMap((x) => x.apply(t, f))) },
  // Only over sound dependencies: with a cycle or an unknown key there is no order to follow.
  {
    name: 'due-after-prerequisites',
    apply: (f) => (dependencyErrors(f.plan, whereOf(f.plan)).length ? [] : dueAfterPrerequisites(f.plan)),
  },
  {
    name: 'trim-over-cap',
    apply: (f) => (f.trimOverCap && taskTotal(f.plan) > f.input.maxTasks ? trimOverCap(f.plan, f.input.maxTasks) : []),
  },
  {
    // A step stands for tasks of this plan only; one whose every task left the plan (dropped, unticked) goes with them.
    name: 'timeline-without-missing-tasks',
    apply({ plan }) {
      const fixes: string[] = [];
      const taskKeys = new Set([...plan.aiTasks, ...plan.csmTasks].map((t) => t.key));
      plan.timeline = plan.timeline.filter((step) => {
        const kept = step.taskKeys.filter((k) => taskKeys.has(k));
        if (step.taskKeys.length > 0 && kept.length === 0) {
          fixes.push(`Timeline "${step.title}": removed, its tasks are not in the plan`);
          return false;
        }
        step.taskKeys = kept;
        return true;
      });
      return fixes;
    },
  },
  {
    // The timeline runs from today to the next stage's start (or the stage's end for the last stage).
    name: 'timeline-in-window',
    apply({ plan, window, expected }) {
      const end = expected?.triggerDate ?? window.end;
      return plan.timeline.flatMap((step) => {
        const [to, why] = step.date < window.start ? [window.start, 'in the past'] : step.date > end ? [end, 'after this stage'] : [];
        if (!to) return [];
        const fix = `Timeline "${step.title}": date moved from ${step.date} to ${to} (${why})`;
        step.date = to;
        return [fix];
      });
    },
  },
  { name: 'timeline-after-prerequisites', apply: (f) => timelineAfterPrerequisites(f.plan) },
  {
    // By date, and on one date a step after the steps it waits for.
    name: 'timeline-order',
    apply({ plan }) {
      const depth = dependencyDepth(plan);
      const stepDepth = (s: Step) => Math.max(0, ...s.taskKeys.map((k) => depth.get(k) ?? 0));
      const ordered = [...plan.timeline].sort((a, b) => a.date.localeCompare(b.date) || stepDepth(a) - stepDepth(b));
      const changed = ordered.some((s, i) => s !== plan.timeline[i] || s.step !== i + 1);
      plan.timeline = ordered.map((s, i) => ({ ...s, step: i + 1 }));
      return changed ? ['Timeline steps re-ordered by date and renumbered'] : [];
    },
  },
  {
    name: 'next-workflow-date',
    apply({ plan, expected }) {
      const next = plan.nextWorkflow;
      if (!expected || !next || next.stage !== expected.stage || next.triggerDate === expected.triggerDate) return [];
      const fix = `Next workflow date moved from ${next.triggerDate} to ${expected.triggerDate} (the stage table's trigger)`;
      next.triggerDate = expected.triggerDate;
      return [fix];
    },
  },
];

/** Over the cap, keeps the highest-priority tasks; what waited for a dropped task no longer does. */
function trimOverCap(plan: ActionPlanContent, max: number): string[] {
  const total = taskTotal(plan);
  const ranked = [...plan.aiTasks, ...plan.csmTasks].sort((a, b) => a.priority - b.priority);
  const keep = new Set(ranked.slice(0, max));
  const dropped = ranked.slice(max);
  plan.aiTasks = plan.aiTasks.filter((t) => keep.has(t));
  plan.csmTasks = plan.csmTasks.filter((t) => keep.has(t));
  const fixes = [
    `${total} tasks exceed the limit of ${max}: dropped the lowest priority ones (${dropped.map((t) => t.action).join('; ')})`,
  ];
  const gone = new Set(dropped.map((t) => t.key));
  for (const t of [...plan.aiTasks, ...plan.csmTasks]) {
    const left = t.dependsOn.filter((k) => !gone.has(k));
    if (left.length === t.dependsOn.length) continue;
    fixes.push(`${t.action}: no longer waits for ${t.dependsOn.filter((k) => gone.has(k)).join(', ')} (dropped over the limit)`);
    t.dependsOn = left;
  }
  return fixes;
}
