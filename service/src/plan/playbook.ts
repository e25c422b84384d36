import { type IsoDate } from '../calendar/dates.ts';
import type { Planner, PlannerOutput, PlanningInput } from './planner.ts';
import type { AiTask, ActionPlanContent, CsmTask, Evidence, TimelineStep } from './schema.ts';
import { readSignals, type RenewalSignals } from './signals.ts';
import { readStepFacts, stepOutput, type StepFacts } from './step-facts.ts';
import { z } from 'zod';
import { expectedNextWorkflow, stageWindow } from './window.ts';
import { plural } from '../words.ts';
import { offeredProcessors } from './offered.ts';
import { MAX_EVIDENCE } from './schema.ts';

const money = (n: number | null) => (n === null ? 'unknown' : `$${Math.round(n).toLocaleString('en-US')}`);
/** Business days from today to a task's due date, by urgency: the closer the renewal, the sooner. */
const LEAD_DAYS = { low: [3, 5, 10, 15], medium: [2, 4, 7, 10], high: [1, 2, 4, 6], critical: [1, 1, 2, 3] } as const;

/**
 * The deterministic planner: builds a plan from the stage configuration and CRM signals (a missing economic buyer,
 * a changing primary contact, no recent activity, overdue tasks, budget pressure). It is the default without a
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
  const ai = (t: Omit<AiTask, 'key'>) => {
    if (offered.has(t.processor)) aiTasks.push({ key: `ai-${aiTasks.length + 1}`, ...t, evidence: t.evidence.slice(0, MAX_EVIDENCE) });
  };
  const csm = (t: Omit<CsmTask, 'key' | 'subTasks'> & { subTasks?: string[] }) => {
    const key = `csm-${csmTasks.length + 1}`;
    csmTasks.push({
      ...t,
      key,
      evidence: t.evidence.slice(0, MAX_EVIDENCE),
      subTasks: (t.subTasks ?? []).map((action, i) => ({ key: `${key}-${i + 1}`, action })),
    });
  };
  const stepIds = new Set((input.steps ?? []).map((x) => x.id));

  if (s.primaryChange && s.primaryChange.to.contact.accountId === ctx.account.id) {
    const { from, fromId, to } = s.primaryChange;
    ai({
      action: `Update primary contact to ${to.contact.name}`,
      description: `The contact role marked primary is ${to.contact.name}${from ? `, but the opportunity's primary contact is still ${from.contact.name}` : ''}. Set Primary_Contact__c to ${to.contact.name}${fromId ? ' and keep the previous contact in Previous_Contact__c' : ''}, with an audit trail Task.`,
      processor: 'salesforce-contact-updater',
      priority: 1,
      executeImmediately: true,
      metadata: {
        oldContact: fromId ? { name: from?.contact.name ?? 'Previous primary contact', salesforceId: fromId } : null,
        newContact: { name: to.contact.name, salesforceId: to.contactId },
        updateLocalRecord: true,
      },
      evidence: [
        { ...opp, field: 'Primary_Contact__c' },
        { type: 'contactRole', id: to.id, field: 'IsPrimary' },
      ],
    });
    csm({
      action: `Introduce yourself to ${to.contact.name} as the new primary contact`,
      description: `${to.contact.name}${to.contact.title ? ` (${to.contact.title})` : ''} is taking over the relationship. Set up a call to confirm goals, success criteria and the renewal timeline.`,
      complexity: 'simple',
      priority: 2,
      estimatedTime: '30 minutes',
      dueDate: due(0),
      contactId: to.contactId,
      evidence: [{ type: 'contactRole', id: to.id, field: 'IsPrimary' }],
    });
  }

  if (!s.economicBuyer) {
    const champion = s.primaryChange?.to ?? ctx.contactRoles.find((r) => r.isPrimary) ?? ctx.contactRoles[0];
    csm({
      action: 'Engage the economic buyer (CFO)',
      description: `No contact role is an economic buyer or finance leader. ${champion ? `Ask ${champion.contact.name} for an introduction and` : 'Identify the CFO and'} secure a value briefing before the renewal is priced.`,
      complexity: 'complex',
      priority: 1,
      estimatedTime: '3 hours',
      dueDate: due(2),
      contactId: champion?.contactId ?? null,
      subTasks: [
        'Research the CFO and current finance priorities',
        champion ? `Ask ${champion.contact.name} for an introduction` : 'Find the right introduction path',
        'Prepare a one-page value briefing',
        'Send the meeting request',
      ],
      evidence: [opp, ...ctx.contactRoles.map((r) => ({ type: 'contactRole' as const, id: r.id, field: 'Role' }))],
    });
    ai({
      action: 'Remind the CSM to follow up on the CFO meeting request',
      description: 'Creates a follow-up reminder so the meeting request does not go unanswered.',
      processor: 'follow-up-reminder-creator',
      priority: 2,
      executeImmediately: false,
      metadata: {
        daysUntilReminder: 5,
        reminderMessage: 'Follow up on the CFO meeting request',
        reminderPriority: 2,
        relatedAction: 'Engage the economic buyer (CFO)',
      },
      evidence: [opp],
    });
  }

  if (s.budgetPressure) {
    const b = s.budgetPressure;
    csm({
      action: 'Document the value delivered against the budget pressure',
      description: `Recent activity mentions budget pressure ("${(b.subject ?? b.description ?? '').slice(0, 120)}"). Quantify outcomes and ROI so the renewal survives the budget review.`,
      complexity: 'moderate',
      priority: 2,
      estimatedTime: '2 hours',
      dueDate: due(2),
      contactId: null,
      evidence: [{ type: 'activity', id: b.id, field: 'Description' }],
    });
  }

  if (s.overdueTasks.length > 0) {
    const first = s.overdueTasks[0]!;
    csm({
      action:
        s.overdueTasks.length === 1
          ? `Close overdue activity: ${first.subject ?? 'untitled task'}`
          : `Close ${s.overdueTasks.length} overdue activities`,
      description: `Open Salesforce tasks past their due date: ${s.overdueTasks.map((t) => `"${t.subject ?? 'untitled'}" (due ${t.date})`).join(', ')}.`,
      complexity: 'simple',
      priority: 1,
      estimatedTime: '30 minutes',
      dueDate: due(0),
      contactId: first.whoId,
      evidence: s.overdueTasks.map((t) => ({ type: 'activity' as const, id: t.id, field: 'ActivityDate' })),
    });
  }

  if (s.noRecentActivity) {
    const primary = ctx.contactRoles.find((r) => r.isPrimary) ?? ctx.contactRoles[0];
    csm({
      action: `Re-engage ${primary ? primary.contact.name : 'the customer'}`,
      description:
        s.daysSinceLastActivity === undefined
          ? 'There is no logged activity on this renewal. Book a call this week.'
          : `The last logged activity was ${s.daysSinceLastActivity} days ago. Book a call to restart the renewal conversation.`,
      complexity: 'simple',
      priority: stage.urgency === 'critical' || stage.urgency === 'high' ? 1 : 2,
      estimatedTime: '30 minutes',
      dueDate: due(0),
      contactId: primary?.contactId ?? null,
      evidence: s.lastActivity ? [{ type: 'activity', id: s.lastActivity.id, field: 'ActivityDate' }] : [opp],
    });
    ai({
      action: 'Remind the CSM if the customer has not replied',
      description: 'Creates a follow-up reminder to check the customer answered the re-engagement.',
      processor: 'follow-up-reminder-creator',
      priority: 2,
      executeImmediately: false,
      metadata: {
        daysUntilReminder: stage.urgency === 'critical' ? 1 : 3,
        reminderMessage: 'Check the customer replied to the re-engagement',
        reminderPriority: 2,
        relatedAction: 'Re-engage the customer',
      },
      evidence: s.lastActivity ? [{ type: 'activity', id: s.lastActivity.id, field: 'ActivityDate' }] : [opp],
    });
  }

  // What the workflow's steps recommend, where the CRM signals above did not already cover it.
  const covered = new Set<string>([
    ...(s.economicBuyer ? [] : ['economic-buyer']),
    ...(s.primaryChange ? ['primary-contact'] : []),
    ...(s.budgetPressure ? ['value-case'] : []),
  ]);
  for (const a of stepActions(steps)
    .filter((x) => x.owner === 'CSM' && !covered.has(x.topic))
    .slice(0, 3)) {
    covered.add(a.topic);
    csm({
      action: a.title,
      description: `${a.rationale ? `${a.rationale.slice(0, 1500)}. ` : ''}From the ${steps.find((x) => x.id === a.sourceStep)?.name ?? 'Recommendations'} step.`,
      complexity: 'moderate',
      priority: a.priority,
      estimatedTime: '1 hour',
      dueDate: due(a.priority <= 1 ? 0 : a.priority === 2 ? 1 : 2),
      contactId: null,
      // A model's recommendation may name a step that does not exist: cite the recommendations step then, or the opportunity.
      evidence: [
        stepIds.has(a.sourceStep)
          ? { type: 'step', id: a.sourceStep, field: null }
          : stepIds.has('recommendations')
            ? { type: 'step', id: 'recommendations', field: null }
            : opp,
      ],
    });
  }

  const deadline = stepOutput(steps, 'contract-analysis', 'noticeDeadline', z.string());
  if (deadline && deadline > today) {
    // Remind two business weeks before the notice deadline (or tomorrow when it is closer than that).
    const remindOn = calendar.add(deadline, -10);
    const days = Math.max(1, Math.min(60, calendar.businessDaysBetween(today, remindOn)));
    ai({
      action: `Remind the CSM of the contract notice deadline (${deadline})`,
      description: `The customer can give notice until ${deadline}. A reminder resurfaces ${plural(days, 'business day')} from now.`,
      processor: 'follow-up-reminder-creator',
      priority: 2,
      executeImmediately: false,
      metadata: {
        daysUntilReminder: days,
        reminderMessage: `Contract notice deadline on ${deadline}: is the renewal commitment secured?`,
        reminderPriority: 1,
        relatedAction: 'Contract notice deadline',
      },
      evidence: [{ type: 'step', id: 'contract-analysis', field: 'noticeDeadline' }],
    });
  }

  // The stage's own playbook fills what the signals did not.
  for (const [i, { action, description }] of stage.typicalCsmTasks.entries()) {
    if (csmTasks.length >= 4) break;
    if (csmTasks.some((t) => t.action.toLowerCase().includes(action.toLowerCase().split(' ').slice(0, 2).join(' ')))) continue;
    csm({
      action,
      description,
      complexity: 'simple',
      priority: Math.min(5, 2 + i),
      estimatedTime: '1 hour',
      dueDate: due(1 + i),
      contactId: null,
      evidence: [{ ...opp, field: 'CloseDate' }],
    });
  }

  // Finalize schedules nextWorkflow itself: the plan needs no workflow-scheduler task for it.
  if (nextWorkflow) nextWorkflow.conditions = conditionsFor(s, stage.name);

  const budget = Math.max(1, input.maxTasks);
  const kept = [...aiTasks.map((t) => ({ t, ai: true })), ...csmTasks.map((t) => ({ t, ai: false }))]
    .sort((a, b) => a.t.priority - b.t.priority)
    .slice(0, budget);
  const keptAi = aiTasks.filter((t) => kept.some((k) => k.t === t));
  const keptCsm = csmTasks.filter((t) => kept.some((k) => k.t === t));

  return {
    summary: summaryOf(input, s, steps),
    aiTasks: keptAi,
    csmTasks: keptCsm,
    timeline: timelineOf(keptAi, keptCsm, nextWorkflow, today, calendar, due),
    nextWorkflow,
  };
}

function conditionsFor(s: RenewalSignals, stageName: string): string[] {
  const c = [`${stageName} CSM tasks completed`];
  if (!s.economicBuyer) c.push('Economic buyer (CFO) engaged');
  if (s.primaryChange) c.push(`Relationship established with ${s.primaryChange.to.contact.name}`);
  return c;
}

/** The steps' recommended actions: the recommendations step's ranked list when it ran, else each step's own. */
function stepActions(steps: StepFacts[]) {
  const Ranked = z.array(
    z.object({
      topic: z.string(),
      priority: z.number().int().min(1).max(5),
      title: z.string(),
      rationale: z.string(),
      owner: z.enum(['CSM', 'AI']),
      sourceStep: z.string(),
    }),
  );
  const ranked = stepOutput(steps, 'recommendations', 'recommendations', Ranked);
  if (ranked) return ranked;
  return steps.flatMap((x) => x.actions.map((a) => ({ ...a, sourceStep: x.id }))).sort((a, b) => a.priority - b.priority);
}

/** The plan's "process completed": each workflow step done or not (and why), or the CRM read when there are no steps. */
function completedStepsOf(input: PlanningInput, steps: StepFacts[]): ActionPlanContent['summary']['completedSteps'] {
  const { context: ctx, stage, daysToRenewal } = input;
  if (steps.length === 0)
    return [
      {
        name: 'CRM context',
        status: 'done',
        output: `${ctx.opportunity.name}: ${ctx.contactRoles.length} contact roles, ${ctx.activities.length} recent activities`,
        decision: null,
      },
      {
        name: 'Renewal stage',
        status: 'done',
        output: `${stage.name}: ${daysToRenewal} days to renewal`,
        decision: `Urgency ${stage.urgency}`,
      },
    ];
  return steps.map((x) =>
    x.status === 'done'
      ? { name: x.name, status: 'done' as const, output: (x.summary ?? 'Done').slice(0, 1000), decision: x.decision?.slice(0, 500) ?? null }
      : {
          name: x.name,
          status: 'not_done' as const,
          output:
            x.status === 'skipped'
              ? `Skipped: ${x.skipReason ?? 'no reason given'}`
              : x.waitingForInput
                ? "Waiting for the CSM's input: this plan does not reflect it yet"
                : 'Not run yet',
          decision: null,
        },
  );
}

function summaryOf(input: PlanningInput, s: RenewalSignals, steps: StepFacts[]): ActionPlanContent['summary'] {
  const { context: ctx, stage, daysToRenewal } = input;
  // Each decision once: a step may already have decided what a CRM signal would say (both name the economic buyer).
  const keyDecisions: string[] = [];
  const gist = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z ]/g, '')
      .split(' ')
      .filter((w) => w.length > 3)
      .slice(0, 3)
      .join(' ');
  const decide = (text: string) => {
    if (!keyDecisions.some((d) => gist(d.slice(d.indexOf(': ') + 2)) === gist(text) || gist(d) === gist(text))) keyDecisions.push(text);
  };
  for (const x of steps) if (x.status === 'done' && x.decision) decide(`${x.name}: ${x.decision}`.slice(0, 500));
  if (!s.economicBuyer) decide('Engaging the economic buyer is the highest priority: no finance contact is on the opportunity.');
  if (s.primaryChange) decide(`The primary contact changes to ${s.primaryChange.to.contact.name}; Salesforce is updated automatically.`);
  if (s.budgetPressure) decide('Budget pressure is noted: the value case must be documented before pricing.');
  if (s.noRecentActivity) decide('The account has gone quiet: re-engagement comes first.');
  if (keyDecisions.length === 0) decide(`Follow the ${stage.name} playbook: ${stage.focus[0]}.`);
  const metrics: ActionPlanContent['summary']['keyMetrics'] = [
    { label: 'Current ARR', value: money(ctx.opportunity.currentArr), detail: null },
    {
      label: 'Renewal target',
      value: money(ctx.opportunity.amount),
      detail: s.priceIncreasePct === undefined ? null : `${s.priceIncreasePct >= 0 ? '+' : ''}${s.priceIncreasePct}% vs current ARR`,
    },
    {
      label: 'Days to renewal',
      value: String(daysToRenewal),
      detail: `Renewal on ${ctx.opportunity.renewalDate} (${stage.name}, ${stage.urgency} urgency)`,
    },
    {
      label: 'Stakeholders',
      value: String(ctx.contactRoles.length),
      detail: s.economicBuyer ? `Economic buyer: ${s.economicBuyer.contact.name}` : 'No economic buyer engaged',
    },
    {
      label: 'Last activity',
      value: s.daysSinceLastActivity === undefined ? 'none' : `${s.daysSinceLastActivity} days ago`,
      detail: s.lastActivity?.subject?.slice(0, 300) ?? null,
    },
  ];
  const target = stepOutput(steps, 'pricing-strategy', 'targetPrice', z.number());
  if (target !== undefined) {
    const pct = stepOutput(steps, 'pricing-strategy', 'targetIncreasePct', z.number());
    const cap = stepOutput(steps, 'pricing-strategy', 'priceIncreaseCapPct', z.number());
    metrics.splice(2, 0, {
      label: 'Pricing target',
      value: money(target),
      detail: `${pct !== undefined && pct >= 0 ? '+' : ''}${pct ?? '?'}%${cap !== undefined ? ` (cap ${cap}%)` : ''}`,
    });
  }
  const deadline = stepOutput(steps, 'contract-analysis', 'noticeDeadline', z.string());
  if (deadline)
    metrics.push({
      label: 'Notice deadline',
      value: deadline,
      detail: stepOutput(steps, 'contract-analysis', 'autoRenewal', z.boolean()) ? 'Auto-renews after it' : 'No auto-renewal',
    });
  const confidence = stepOutput(steps, 'csm-assessment', 'confidence', z.number());
  if (confidence !== undefined)
    metrics.push({
      label: 'CSM confidence',
      value: `${confidence}/10`,
      detail: `Relationship ${stepOutput(steps, 'csm-assessment', 'relationshipStrength', z.number()) ?? '?'}/10`,
    });
  return {
    completedSteps: completedStepsOf(input, steps).slice(0, 20),
    keyDecisions: keyDecisions.slice(0, 10),
    keyMetrics: metrics.slice(0, 12),
  };
}

function timelineOf(
  aiTasks: AiTask[],
  csmTasks: CsmTask[],
  next: ActionPlanContent['nextWorkflow'],
  today: IsoDate,
  calendar: PlanningInput['calendar'],
  due: (rank: number) => IsoDate,
): TimelineStep[] {
  const start = calendar.onOrAfter(today);
  const steps: Omit<TimelineStep, 'step'>[] = [];
  const immediate = aiTasks.filter((t) => t.executeImmediately);
  if (immediate.length)
    steps.push({
      date: start,
      owner: 'AI',
      title: 'Automatic updates',
      description: immediate.map((t) => t.action).join('; '),
      status: 'pending',
      taskKeys: immediate.map((t) => t.key),
    });
  for (const t of [...csmTasks].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.priority - b.priority))
    steps.push({
      date: t.dueDate,
      owner: 'CSM',
      title: t.action,
      description: t.description.slice(0, 300),
      status: 'pending',
      taskKeys: [t.key],
    });
  const customerDate = due(3);
  steps.push({
    date: customerDate,
    owner: 'Customer',
    title: 'Customer confirms priorities and stakeholders',
    description: 'The customer confirms goals, decision makers and timeline for the renewal.',
    status: 'pending',
    taskKeys: [],
  });
  const reminders = aiTasks.filter((t) => t.processor === 'follow-up-reminder-creator' && !t.executeImmediately);
  for (const r of reminders) {
    const days = Number((r.metadata as { daysUntilReminder?: number }).daysUntilReminder ?? 1);
    // A reminder past this stage fires in the next one: this timeline shows it on the stage's last day at the latest.
    const on = calendar.add(start, days);
    const last = next?.triggerDate ?? due(3);
    steps.push({
      date: on > last ? last : on,
      owner: 'AI',
      title: r.action,
      description: r.description,
      status: 'pending',
      taskKeys: [r.key],
    });
  }
  if (next)
    steps.push({
      date: next.triggerDate,
      owner: 'AI',
      title: `${next.name} workflow starts`,
      description: next.conditions.join('; '),
      status: 'pending',
      taskKeys: [],
    });
  return steps.sort((a, b) => a.date.localeCompare(b.date)).map((s, i) => ({ step: i + 1, ...s }));
}
