import { daysBetween } from '../calendar/dates.ts';
import { pendingScheduledWorkflows, refreshRenewalDate, rescheduleWorkflow } from '../db/scheduled-workflows.ts';
import { notifyReplanNeeded } from '../db/notifications.ts';
import type { Deps } from '../deps.ts';
import { nextWorkflowDate } from '../plan/window.ts';
import type { CrmContext } from '../salesforce/context.ts';
import { STAGE_IDS, renewalStageFor, stageById, StageId } from '../stages/stages.ts';
import { sendSalesforceNotifications } from '../sync/salesforce-notifications.ts';

const order = (stage: string) => STAGE_IDS.indexOf(stage as StageId);

/**
 * Follows the renewal date Salesforce holds now: live executions show the stage it puts the opportunity in, and a
 * scheduled workflow moves with it (its date recomputed from the stage table; when that date has passed, the stage
 * the opportunity is in now, due at once). The CSM gets a notification for each move. Called explicitly, once, by
 * the operations that read the opportunity fresh from Salesforce (start, step operations, plan generation).
 */
export async function followRenewalDate(deps: Deps, ctx: CrmContext): Promise<void> {
  const today = deps.today();
  const renewalDate = ctx.opportunity.renewalDate;
  const days = daysBetween(today, renewalDate);
  await refreshRenewalDate(deps.db.sql, ctx.opportunity.id, renewalDate, days);
  const current = renewalStageFor(days, deps.stages);
  const replans = await notifyReplanNeeded(deps.db.sql, {
    opportunityId: ctx.opportunity.id,
    renewalDate,
    daysToRenewal: days,
    stage: current.name,
    userId: ctx.owner.id,
  });
  for (const row of await pendingScheduledWorkflows(deps.db.sql, ctx.opportunity.id)) {
    const source = stageById(StageId.parse(row.sourceStage), deps.stages);
    let stage = stageById(StageId.parse(row.stage), deps.stages);
    let trigger = nextWorkflowDate(source, renewalDate, today, deps.calendar);
    if (!trigger) continue;
    if (order(current.id) > order(stage.id)) {
      // The new date skips past the scheduled stage: schedule the stage the opportunity is in now, at once.
      stage = current;
      trigger = deps.calendar.onOrAfter(today);
    }
    if (trigger === row.triggerDate && stage.id === row.stage) continue;
    await rescheduleWorkflow(deps.db.sql, {
      id: row.id,
      stage: stage.id,
      name: `${stage.name} Renewal`,
      triggerDate: trigger,
      userId: row.csmUserId,
      opportunityId: row.opportunityId,
      message: `The renewal date is now ${renewalDate} (${days} days): the ${stage.name} workflow moves from ${row.stage} on ${row.triggerDate} to ${trigger}.`,
    });
    deps.log.info('scheduled workflow moved with the renewal date', {
      scheduledWorkflowId: row.id,
      from: row.triggerDate,
      to: trigger,
      stage: stage.id,
    });
  }
  if (replans > 0)
    await sendSalesforceNotifications(deps).catch((err: Error) =>
      deps.log.warn('salesforce notifications deferred', { error: err.message }),
    );
}
