import { z } from 'zod';
import { IsoDateSchema } from '../../service/src/calendar/dates.ts';
import { defineProcessor, PermanentError } from '../port.ts';

/**
 * Schedules the plan's next stage workflow for its trigger date (one per plan: finalize may already have written
 * it; this reschedules it while it has not started). The workflow-scheduler schedule starts it on that date.
 */
export const workflowScheduler = defineProcessor({
  name: 'workflow-scheduler',
  summary: 'Schedules the next stage workflow on its trigger date',
  metadata: z.strictObject({
    stage: z.string().min(1),
    triggerDate: IsoDateSchema,
    conditions: z.array(z.string().min(1)).max(10),
  }),
  notPlannable: 'finalizing the plan schedules its nextWorkflow; a workflow-scheduler task would schedule it again',
  writesFields: false,
  changePreview: (input) => ({
    description: `Schedules the ${input.stage} workflow on ${input.triggerDate} (no Salesforce record changes)`,
    fields: [],
  }),
  async run(input, { services }) {
    if (!services.isStage(input.stage)) throw new PermanentError(`Unknown stage ${input.stage}`, 'UNKNOWN_STAGE');
    if (input.triggerDate < services.today()) throw new PermanentError(`Trigger date ${input.triggerDate} is in the past`, 'PAST_DATE');
    const scheduled = await services.scheduleWorkflow({ stage: input.stage, triggerDate: input.triggerDate, conditions: input.conditions });
    return {
      summary:
        scheduled.status === 'scheduled'
          ? `${scheduled.stage} workflow scheduled for ${scheduled.triggerDate}.`
          : `${scheduled.stage} workflow already started; schedule left as is.`,
      scheduledWorkflowId: scheduled.id,
      status: scheduled.status,
      triggerDate: scheduled.triggerDate,
    };
  },
});
