import { z } from 'zod';
import type { IsoDate } from '../calendar/dates.ts';
import { plural } from '../words.ts';
import type { PlanningInput } from './planner.ts';
import type { AiTaskInput, CsmTask, CsmTaskInput, Evidence } from './schema.ts';
import type { RenewalSignals } from './signals.ts';
import { stepOutput, type StepFacts } from './step-facts.ts';

/** What every playbook rule reads (the renewal, its signals and steps) and adds to (the plan's tasks, due by rank). */
interface PlaybookDraft {
  s: RenewalSignals;
  ctx: PlanningInput['context'];
  stage: PlanningInput['stage'];
  today: IsoDate;
  calendar: PlanningInput['calendar'];
  steps: StepFacts[];
  stepIds: ReadonlySet<string>;
  /** The opportunity as evidence. */
  opp: Evidence;
  /** A due date in the stage window by rank (0 soonest), from the stage's urgency. */
  due: (rank: number) => IsoDate;
  /** Adds an AI task (only when its processor is offered for this renewal); returns its key when added. */
  ai: (t: Omit<AiTaskInput, 'key'>) => string | undefined;
  /** Adds a CSM task, its sub-tasks given by action; returns its key (for the tasks that wait for it). */
  csm: (t: Omit<CsmTaskInput, 'key' | 'subTasks'> & { subTasks?: string[] }) => string;
  csmTasks: readonly CsmTask[];
}

/** A playbook rule: when its signal holds, it adds the tasks that answer it. */
type PlaybookRule = (draft: PlaybookDraft) => void;

/** The playbook's rules in the order their tasks are added (earlier rules' tasks rank first at equal priority). */
export const PLAYBOOK_RULES: readonly PlaybookRule[] = [
  primaryContactChanged,
  noEconomicBuyer,
  budgetPressure,
  overdueActivities,
  accountGoneQuiet,
  stepRecommendations,
  noticeDeadline,
  stagePlaybook,
];

/** A new primary contact on the contact roles: Salesforce is updated automatically and the CSM introduces themself. */
function primaryContactChanged({ s, ctx, opp, due, ai, csm }: PlaybookDraft): void {
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
}

/**
 * No economic buyer among the contact roles: the executive sponsor engages the CFO, and a reminder follows the meeting
 * request up once that task is done (it waits for it).
 */
function noEconomicBuyer({ s, ctx, opp, due, ai, csm }: PlaybookDraft): void {
  if (!s.economicBuyer) {
    const champion = s.primaryChange?.to ?? ctx.contactRoles.find((r) => r.isPrimary) ?? ctx.contactRoles[0];
    const engageCfo = csm({
      assigneeRole: 'Executive Sponsor',
      action: 'Engage the economic buyer (CFO)',
      kind: 'meeting',
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
      dependsOn: [engageCfo],
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
}

/** Recent activity mentions budget pressure: the renewal manager documents the value delivered. */
function budgetPressure({ s, due, csm }: PlaybookDraft): void {
  if (s.budgetPressure) {
    const b = s.budgetPressure;
    csm({
      assigneeRole: 'Renewal Manager',
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
}

/** Open Salesforce tasks past their due date: the CSM closes them. */
function overdueActivities({ s, due, csm }: PlaybookDraft): void {
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
}

/** No recent activity: the CSM re-engages the primary contact, and a reminder (waiting for that task) checks they replied. */
function accountGoneQuiet({ s, ctx, stage, opp, due, ai, csm }: PlaybookDraft): void {
  if (s.noRecentActivity) {
    const primary = ctx.contactRoles.find((r) => r.isPrimary) ?? ctx.contactRoles[0];
    const reEngage = csm({
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
      dependsOn: [reEngage],
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
}

/** What the workflow's steps recommend, where the CRM signals did not already cover it (three at most). */
function stepRecommendations({ s, steps, stepIds, opp, due, csm }: PlaybookDraft): void {
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
}

/** The contract's notice deadline ahead: a reminder two business weeks before it. */
function noticeDeadline({ today, calendar, steps, ai }: PlaybookDraft): void {
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
}

/** The stage's own playbook fills what the signals did not (up to four CSM tasks in all). */
function stagePlaybook({ stage, opp, due, csm, csmTasks }: PlaybookDraft): void {
  for (const [i, { action, description, kind }] of stage.typicalCsmTasks.entries()) {
    if (csmTasks.length >= 4) break;
    if (csmTasks.some((t) => t.action.toLowerCase().includes(action.toLowerCase().split(' ').slice(0, 2).join(' ')))) continue;
    csm({
      action,
      description,
      kind,
      complexity: 'simple',
      priority: Math.min(5, 2 + i),
      estimatedTime: '1 hour',
      dueDate: due(1 + i),
      contactId: null,
      evidence: [{ ...opp, field: 'CloseDate' }],
    });
  }
}

/** What must hold before the next stage's workflow starts. */
export function conditionsFor(s: RenewalSignals, stageName: string): string[] {
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
