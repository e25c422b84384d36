import { scheduleNextWorkflow } from '../service/src/db/processor-records.ts';
import { STAGE_IDS } from '../service/src/stages/stages.ts';
import { processorCatalog } from './catalog.ts';
import { PermanentError, type Processor } from './types.ts';

const name = 'workflow-scheduler';

/**
 * Schedules the plan's next stage workflow for its trigger date (one per plan: finalize may already have written
 * it; this reschedules it while it has not started). The workflow-scheduler schedule starts it on that date.
 */
export const workflowScheduler: Processor<(typeof processorCatalog)[typeof name]['metadata']> = {
  name,
  metadata: processorCatalog[name].metadata,
  async execute(input, { task, services }) {
    if (!(STAGE_IDS as readonly string[]).includes(input.stage)) throw new PermanentError(`Unknown stage ${input.stage}`, 'UNKNOWN_STAGE');
    if (input.triggerDate < services.today()) throw new PermanentError(`Trigger date ${input.triggerDate} is in the past`, 'PAST_DATE');
    const scheduled = await scheduleNextWorkflow(services.sql, {
      executionId: task.executionId,
      planId: task.actionPlanId,
      opportunityId: task.opportunityId,
      stage: input.stage,
      name: `${input.stage} workflow`,
      triggerDate: input.triggerDate,
      conditions: input.conditions,
    });
    return {
      summary: scheduled.status === 'scheduled'
        ? `${scheduled.stage} workflow scheduled for ${scheduled.triggerDate}.`
        : `${scheduled.stage} workflow already started; schedule left as is.`,
      scheduledWorkflowId: scheduled.id,
      status: scheduled.status,
      triggerDate: scheduled.triggerDate,
    };
  },
};
