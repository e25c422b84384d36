import type { IsoDate } from '../calendar/dates.ts';
import type { TimelineStep } from './schema.ts';

type LiveTimelineStatus = 'pending' | 'in_progress' | 'done' | 'overdue';

/** A task as the timeline needs it: its key, where it stands, and (CSM tasks) its live due date. */
interface TimelineTask {
  key: string;
  action: string;
  /** The plan task status: pending, in_progress, completed, snoozed, cancelled. */
  status: string;
  /** AI tasks: queued, running, success, failed (null before finalize). */
  executionStatus?: string | null;
  dueDate?: IsoDate | null;
}

const isDone = (t: TimelineTask) => t.executionStatus === 'success' || t.status === 'completed' || t.status === 'cancelled';
const isMoving = (t: TimelineStep['status'] | string | null | undefined) => t === 'running' || t === 'in_progress';

/**
 * The timeline as it stands today: a step is done when every task it stands for is done, in progress when some are
 * done or running, overdue when its date has passed and it is not done, pending otherwise. A step that stands for
 * no task (a customer milestone, the next workflow) keeps the planner's status until its date passes. A step
 * standing for CSM tasks takes their latest live due date (the CSM may have moved it), and one CSM task's title.
 *
 * @example timelineNow(plan.timeline, tasks, '2026-12-01') // [{ ..., status: 'done' }, { ..., status: 'overdue' }]
 */
export function timelineNow(
  timeline: TimelineStep[],
  tasks: TimelineTask[],
  today: IsoDate,
): (Omit<TimelineStep, 'status'> & { status: LiveTimelineStatus })[] {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  return timeline.map((step) => {
    // Plans written before steps named their tasks have no taskKeys: a step titled as a task stands for it.
    const keys = step.taskKeys ?? tasks.filter((t) => t.action === step.title).map((t) => t.key);
    const own = keys.map((k) => byKey.get(k)).filter((t): t is TimelineTask => Boolean(t));
    const dueDates = own.map((t) => t.dueDate).filter((d): d is IsoDate => Boolean(d));
    const date = dueDates.length && step.owner === 'CSM' ? dueDates.sort().at(-1)! : step.date;
    let status: LiveTimelineStatus;
    if (own.length === 0) status = step.status;
    else if (own.every(isDone)) status = 'done';
    else if (own.some((t) => isDone(t) || isMoving(t.executionStatus) || isMoving(t.status))) status = 'in_progress';
    else status = 'pending';
    if (status !== 'done' && date < today) status = 'overdue';
    // A CSM step is its task: it carries the task's title as the CSM last wrote it.
    const title = step.owner === 'CSM' && own.length === 1 ? own[0]!.action : step.title;
    return { ...step, taskKeys: keys, title, date, status };
  });
}
