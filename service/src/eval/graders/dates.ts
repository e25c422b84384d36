import { expectedNextWorkflow, stageWindow } from '../../plan/window.ts';
import type { Grader } from './grader.ts';

/**
 * Every date a business day inside the stage's window and before the renewal: CSM due dates inside the window, timeline
 * steps from the window's start to the next stage's trigger, the next workflow on its trigger date. "Before the renewal"
 * holds for due dates only while the renewal is ahead (an Overdue plan is all after it).
 */
export const datesGrader: Grader = {
  name: 'dates',
  checks: 'every date a business day inside the stage window and before the renewal',
  grade({ plan, input }) {
    const { calendar, stage, today } = input;
    const renewal = input.context.opportunity.renewalDate;
    const window = stageWindow(stage, renewal, today, calendar);
    const next = expectedNextWorkflow(stage, renewal, today, calendar);
    const timelineEnd = next?.triggerDate ?? window.end;
    const reasons: string[] = [];
    const businessDay = (date: string, where: string) => {
      if (!calendar.isBusinessDay(date)) reasons.push(`${where}: ${date} is not a business day`);
    };
    plan.csmTasks.forEach((t, i) => {
      const where = `csmTasks.${i} (${t.key}) due`;
      businessDay(t.dueDate, where);
      if (t.dueDate < window.start || t.dueDate > window.end)
        reasons.push(`${where}: ${t.dueDate} is outside the ${stage.name} window ${window.start}..${window.end}`);
      if (renewal >= today && t.dueDate > renewal) reasons.push(`${where}: ${t.dueDate} is after the renewal on ${renewal}`);
    });
    plan.timeline.forEach((s, i) => {
      const where = `timeline.${i} ("${s.title}")`;
      businessDay(s.date, where);
      if (s.date < window.start || s.date > timelineEnd)
        reasons.push(`${where}: ${s.date} is outside ${window.start}..${timelineEnd} (today to the next stage)`);
    });
    if (plan.nextWorkflow) businessDay(plan.nextWorkflow.triggerDate, 'nextWorkflow.triggerDate');
    return reasons;
  },
};
