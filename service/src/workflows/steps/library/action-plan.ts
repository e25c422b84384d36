import { z } from 'zod';
import type { StepDefinition } from '../types.ts';

/**
 * The last step of every workflow. It has no analysis of its own: generating the action plan (which runs the
 * steps that need no input first) completes it, and finalizing the plan marks it done.
 */
export const actionPlan: StepDefinition<null, Record<string, never>> = {
  id: 'action-plan',
  name: 'Action Plan',
  type: 'planning',
  description: 'AI tasks, CSM tasks with sub-tasks, the timeline, key metrics and the next workflow, from every step above.',
  input: null,
  output: z.object({}),
  analyze() {
    throw new Error('the action plan step runs through action-plan/generate');
  },
};
