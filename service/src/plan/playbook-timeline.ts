import type { IsoDate } from '../calendar/dates.ts';
import type { PlanningInput } from './planner.ts';
import type { ActionPlanContent, AiTask, CsmTask, TimelineStep } from './schema.ts';

/**
 * The plan's timeline: the automatic updates first, each CSM task on its due date, the customer's confirmation, the
 * reminders on the day they fire (within the stage), and the next workflow's start.
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
