import { processorRegistry } from '../../../processors/registry.ts';
import type { PlanningInput } from './planner.ts';
import { ActionPlanContent, type Evidence } from './schema.ts';
import { expectedNextWorkflow, stageWindow } from './window.ts';
import { idKey } from '../salesforce/ids.ts';
import { contextIdKeys, unknownIds } from './known-ids.ts';
import { offeredProcessors } from './offered.ts';
import { dependencyDepth, dependencyErrors } from './dependencies.ts';

interface PlanValidation {
  /** The plan after fixes, when it is acceptable. */
  content?: ActionPlanContent;
  /** Problems fixed in place (a due date moved to the next business day...), in words for the CSM. */
  fixes: string[];
  /** Problems that cannot be fixed: the plan is rejected. */
  errors: string[];
}

/**
 * The one validation every plan passes, whichever planner wrote it: the schema; processors only from the
 * registry with metadata valid for that processor; referenced contacts and evidence that exist in the
 * context and belong to the opportunity's account; due dates on business days inside the stage window;
 * sub-tasks only under complex tasks; a cap on tasks; an ordered timeline inside the stage window; the next workflow of
 * the stage table. AI tasks are grounded: only processors offered for this renewal (the stage's allow-list, and only
 * when their input can be grounded), no more tasks of a processor than it allows per plan, ids in metadata only from
 * the CRM context or the workflow steps' outputs, and each processor's own grounding check (a contact of the
 * account, a sent email of the context...). Dependencies name tasks of the plan, never the task itself, and form no
 * cycle; a task is not due before what it waits for, and the timeline puts a step after the steps it waits for.
 */
interface ValidateOptions {
  /**
   * Over the task cap, drop the lowest-priority tasks (a fix) instead of rejecting the plan. Only for plans no planner
   * wrote as a whole (a re-plan with carried-over tasks); a planner's answer over the cap is rejected and repaired.
   */
  trimOverCap?: boolean;
}

export function validatePlan(raw: unknown, input: PlanningInput, options: ValidateOptions = {}): PlanValidation {
  const fixes: string[] = [];
  const errors: string[] = [];
  const parsed = ActionPlanContent.safeParse(raw);
  if (!parsed.success) {
    return { fixes, errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`) };
  }
  const plan = structuredClone(parsed.data);
  const { context: ctx, stage, today, calendar } = input;
  const window = stageWindow(stage, ctx.opportunity.renewalDate, today, calendar);
  const accountContacts = new Map(
    ctx.contactRoles.filter((r) => r.contact.accountId === ctx.account.id).map((r) => [idKey(r.contactId), r]),
  );
  const known: Record<Evidence['type'], Set<string>> = {
    opportunity: new Set([ctx.opportunity.id]),
    account: new Set([ctx.account.id]),
    contact: new Set(accountContacts.keys()),
    contactRole: new Set(ctx.contactRoles.map((r) => r.id)),
    activity: new Set(ctx.activities.map((a) => a.id)),
    user: new Set([ctx.owner.id]),
    step: new Set((input.steps ?? []).map((s) => s.id)),
  };
  const idOk = (type: Evidence['type'], id: string) => known[type].has(type === 'contact' ? idKey(id) : id);

  const keys = new Set<string>();
  const uniqueKey = (key: string, where: string) => {
    if (keys.has(key)) errors.push(`${where}: duplicate task key ${key}`);
    keys.add(key);
  };
  const checkEvidence = (evidence: Evidence[], where: string) => {
    for (const e of evidence)
      if (!idOk(e.type, e.id)) errors.push(`${where}: evidence ${e.type} ${e.id} is not in this opportunity's CRM context`);
  };

  const registry = input.processors ?? processorRegistry;
  const offered = offeredProcessors(input);
  const knownIds = contextIdKeys(ctx);
  for (const id of (input.steps ?? []).flatMap((s) => unknownIds(s.output, knownIds))) knownIds.add(idKey(id));
  for (const processor of registry.values()) {
    const count = plan.aiTasks.filter((t) => t.processor === processor.name).length;
    if (processor.perPlan && count > processor.perPlan.max)
      errors.push(
        `aiTasks: ${count} ${processor.perPlan.noun}; a plan makes at most ${processor.perPlan.max === 1 ? 'one' : processor.perPlan.max}`,
      );
  }

  plan.aiTasks.forEach((t, i) => {
    const where = `aiTasks.${i} (${t.key})`;
    uniqueKey(t.key, where);
    checkEvidence(t.evidence, where);
    const processor = registry.get(t.processor);
    if (!processor) {
      errors.push(`${where}: processor "${t.processor}" is not one of ${[...registry.keys()].join(', ')}`);
      return;
    }
    if (processor.notPlannable) {
      errors.push(`${where}: ${processor.notPlannable}`);
      return;
    }
    if (!offered.includes(t.processor)) {
      errors.push(`${where}: processor ${t.processor} is not offered for this renewal (offered: ${offered.join(', ') || 'none'})`);
      return;
    }
    for (const id of unknownIds(t.metadata, knownIds))
      errors.push(`${where}: metadata names ${id}, which is not in this opportunity's CRM context or step outputs`);
    const meta = processor.metadata.safeParse(t.metadata);
    if (!meta.success) {
      errors.push(...meta.error.issues.map((x) => `${where}: metadata.${x.path.join('.')}: ${x.message}`));
      return;
    }
    for (const error of processor.groundingErrors?.(meta.data, ctx) ?? []) errors.push(`${where}: ${error}`);
  });

  plan.csmTasks.forEach((t, i) => {
    const where = `csmTasks.${i} (${t.key})`;
    uniqueKey(t.key, where);
    t.subTasks.forEach((s) => uniqueKey(s.key, `${where} sub-task`));
    checkEvidence(t.evidence, where);
    if (t.contactId && !accountContacts.has(idKey(t.contactId)))
      errors.push(`${where}: contact ${t.contactId} has no contact role on this opportunity's account`);
    if (t.subTasks.length > 0 && t.complexity !== 'complex') {
      fixes.push(`${t.action}: has sub-tasks, so its complexity became complex (was ${t.complexity})`);
      t.complexity = 'complex';
    }
    const moved = clampDate(t.dueDate, window, calendar);
    if (moved !== t.dueDate) {
      fixes.push(`${t.action}: due date moved from ${t.dueDate} to ${moved} (${reason(t.dueDate, window, calendar)})`);
      t.dueDate = moved;
    }
  });

  const whereOf = (key: string) => {
    const ai = plan.aiTasks.findIndex((t) => t.key === key);
    return ai >= 0 ? `aiTasks.${ai} (${key})` : `csmTasks.${plan.csmTasks.findIndex((t) => t.key === key)} (${key})`;
  };
  const dependencyProblems = dependencyErrors(plan, whereOf);
  errors.push(...dependencyProblems);
  if (dependencyProblems.length === 0) fixes.push(...dueAfterPrerequisites(plan));

  const total = plan.aiTasks.length + plan.csmTasks.length;
  if (total > input.maxTasks && !options.trimOverCap)
    errors.push(
      `plan: ${total} tasks exceed the limit of ${input.maxTasks} (AI and CSM together); keep the ${input.maxTasks} that matter most`,
    );
  else if (total > input.maxTasks) {
    const ranked = [...plan.aiTasks, ...plan.csmTasks].sort((a, b) => a.priority - b.priority);
    const keep = new Set(ranked.slice(0, input.maxTasks));
    const dropped = ranked.slice(input.maxTasks);
    plan.aiTasks = plan.aiTasks.filter((t) => keep.has(t));
    plan.csmTasks = plan.csmTasks.filter((t) => keep.has(t));
    fixes.push(
      `${total} tasks exceed the limit of ${input.maxTasks}: dropped the lowest priority ones (${dropped.map((t) => t.action).join('; ')})`,
    );
    const gone = new Set(dropped.map((t) => t.key));
    for (const t of [...plan.aiTasks, ...plan.csmTasks]) {
      const left = t.dependsOn.filter((k) => !gone.has(k));
      if (left.length === t.dependsOn.length) continue;
      fixes.push(`${t.action}: no longer waits for ${t.dependsOn.filter((k) => gone.has(k)).join(', ')} (dropped over the limit)`);
      t.dependsOn = left;
    }
  }

  // A step stands for tasks of this plan only; one whose every task left the plan (dropped, unticked) goes with them.
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
  // The timeline runs from today to the next stage's start (or the stage's end for the last stage).
  const timelineEnd = expectedNextWorkflow(stage, ctx.opportunity.renewalDate, today, calendar)?.triggerDate ?? window.end;
  plan.timeline.forEach((step) => {
    if (step.date < window.start) {
      fixes.push(`Timeline "${step.title}": date moved from ${step.date} to ${window.start} (in the past)`);
      step.date = window.start;
    } else if (step.date > timelineEnd) {
      fixes.push(`Timeline "${step.title}": date moved from ${step.date} to ${timelineEnd} (after this stage)`);
      step.date = timelineEnd;
    }
  });
  fixes.push(...timelineAfterPrerequisites(plan));
  // By date, and on one date a step after the steps it waits for.
  const depth = dependencyDepth(plan);
  const stepDepth = (s: (typeof plan.timeline)[number]) => Math.max(0, ...s.taskKeys.map((k) => depth.get(k) ?? 0));
  const ordered = [...plan.timeline].sort((a, b) => a.date.localeCompare(b.date) || stepDepth(a) - stepDepth(b));
  if (ordered.some((s, i) => s !== plan.timeline[i] || s.step !== i + 1)) fixes.push('Timeline steps re-ordered by date and renumbered');
  plan.timeline = ordered.map((s, i) => ({ ...s, step: i + 1 }));

  const expected = expectedNextWorkflow(stage, ctx.opportunity.renewalDate, today, calendar);
  if (!expected && plan.nextWorkflow) errors.push(`nextWorkflow: ${stage.name} is the last stage; there is no next workflow`);
  if (expected && !plan.nextWorkflow) errors.push(`nextWorkflow: ${stage.name} must schedule ${expected.stage}`);
  if (expected && plan.nextWorkflow) {
    if (plan.nextWorkflow.stage !== expected.stage)
      errors.push(`nextWorkflow: after ${stage.name} comes ${expected.stage}, not ${plan.nextWorkflow.stage}`);
    else if (plan.nextWorkflow.triggerDate !== expected.triggerDate) {
      fixes.push(`Next workflow date moved from ${plan.nextWorkflow.triggerDate} to ${expected.triggerDate} (the stage table's trigger)`);
      plan.nextWorkflow.triggerDate = expected.triggerDate;
    }
  }
  return errors.length ? { fixes, errors } : { content: plan, fixes, errors };
}

/**
 * Moves each CSM task due before a CSM task it waits for to that task's due date (in dependency order, so a chain
 * moves along); AI tasks have no due date (they are due when they can run). Returns the fixes in words.
 */
function dueAfterPrerequisites(plan: ActionPlanContent): string[] {
  const fixes: string[] = [];
  const depth = dependencyDepth(plan);
  const csm = new Map(plan.csmTasks.map((t) => [t.key, t]));
  for (const t of [...plan.csmTasks].sort((a, b) => depth.get(a.key)! - depth.get(b.key)!)) {
    const latest = t.dependsOn
      .map((k) => csm.get(k))
      .reduce<typeof t | undefined>((m, p) => (p && (!m || p.dueDate > m.dueDate) ? p : m), undefined);
    if (!latest || latest.dueDate <= t.dueDate) continue;
    fixes.push(`${t.action}: due date moved from ${t.dueDate} to ${latest.dueDate} (it waits for "${latest.action}", due then)`);
    t.dueDate = latest.dueDate;
  }
  return fixes;
}

/** A timeline step dated before a step it waits for (one of its tasks waits for one of theirs) moves to that date. */
function timelineAfterPrerequisites(plan: ActionPlanContent): string[] {
  const fixes: string[] = [];
  const depth = dependencyDepth(plan);
  const deps = new Map([...plan.aiTasks, ...plan.csmTasks].map((t) => [t.key, t.dependsOn]));
  const stepDepth = (s: (typeof plan.timeline)[number]) => Math.max(0, ...s.taskKeys.map((k) => depth.get(k) ?? 0));
  for (const step of [...plan.timeline].sort((a, b) => stepDepth(a) - stepDepth(b))) {
    const waitsFor = new Set(step.taskKeys.flatMap((k) => deps.get(k) ?? []));
    const before = plan.timeline.filter((s) => s !== step && s.taskKeys.some((k) => waitsFor.has(k)));
    const latest = before.reduce<string | undefined>((m, s) => (!m || s.date > m ? s.date : m), undefined);
    if (!latest || latest <= step.date) continue;
    fixes.push(`Timeline "${step.title}": date moved from ${step.date} to ${latest} (after the steps it waits for)`);
    step.date = latest;
  }
  return fixes;
}

function clampDate(date: string, window: { start: string; end: string }, calendar: PlanningInput['calendar']): string {
  if (date < window.start) return window.start;
  if (date > window.end) return window.end;
  return calendar.isBusinessDay(date) ? date : calendar.onOrAfter(date) > window.end ? calendar.onOrBefore(date) : calendar.onOrAfter(date);
}

function reason(date: string, window: { start: string; end: string }, calendar: PlanningInput['calendar']): string {
  if (date < window.start) return 'it was in the past';
  if (date > window.end) return `it fell after the stage ends on ${window.end}`;
  return calendar.isHoliday(date) ? 'it fell on a holiday' : 'it fell on a weekend';
}
