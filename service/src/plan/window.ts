import { addDays, type IsoDate } from '../calendar/dates.ts';
import type { BusinessCalendar } from '../calendar/business-days.ts';
import type { RenewalStage } from '../stages/stages.ts';
import type { ActionPlanContent } from './schema.ts';

/**
 * The dates a stage's tasks must fall in: from today to the last business day before the next stage's
 * workflow triggers (for Overdue, ten business days: recovery cannot wait longer).
 */
export function stageWindow(stage: RenewalStage, renewalDate: IsoDate, today: IsoDate, calendar: BusinessCalendar) {
  const start = calendar.onOrAfter(today);
  const trigger = nextWorkflowDate(stage, renewalDate, today, calendar);
  const end = trigger ? calendar.onOrBefore(addDays(trigger, -1)) : calendar.add(start, 10);
  return { start, end: end < start ? start : end };
}

/** The business day the next stage's workflow starts: its trigger point counted back from the renewal date. */
export function nextWorkflowDate(stage: RenewalStage, renewalDate: IsoDate, today: IsoDate, calendar: BusinessCalendar): IsoDate | null {
  if (!stage.nextStage) return null;
  const date = calendar.onOrBefore(addDays(renewalDate, -stage.nextStage.triggerDaysToRenewal));
  return date <= today ? calendar.add(today, 1) : date;
}

/** The next workflow a stage's plan must schedule, or null for the last stage. */
export function expectedNextWorkflow(
  stage: RenewalStage,
  renewalDate: IsoDate,
  today: IsoDate,
  calendar: BusinessCalendar,
): ActionPlanContent['nextWorkflow'] {
  const triggerDate = nextWorkflowDate(stage, renewalDate, today, calendar);
  if (!stage.nextStage || !triggerDate) return null;
  const next = stage.nextStage;
  return { stage: next.id, name: `${next.name} Renewal`, triggerDate, conditions: [] };
}
