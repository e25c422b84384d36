import type { IsoDate } from '../calendar/dates.ts';
import type { PlanningInput } from './planner.ts';
import { dependencyDepth } from './dependencies.ts';
import type { ActionPlanContent, AiTask, CsmTask, TimelineStep } from './schema.ts';

/**
 * The plan's timeline: the automatic updates first, each CSM task on its due date, the customer's confirmation, the
 * reminders on the day they fire (counted from the day the CSM tasks they wait for are due; within the stage), and the
 * next workflow's start. On one date, a step comes after the steps it waits for.
 */
export function timelineOf(
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
    const after = csmTasks.filter((t) => r.dependsOn.includes(t.key)).reduce((d, t) => (t.dueDate > d ? t.dueDate : d), start);
    const on = calendar.add(after, days);
    const last = [next?.triggerDate ?? due(3), after].reduce((a, b) => (a > b ? a : b));
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
  const depth = dependencyDepth({ aiTasks, csmTasks });
  const stepDepth = (s: Omit<TimelineStep, 'step'>) => Math.max(0, ...s.taskKeys.map((k) => depth.get(k) ?? 0));
  return steps.sort((a, b) => a.date.localeCompare(b.date) || stepDepth(a) - stepDepth(b)).map((s, i) => ({ step: i + 1, ...s }));
}
