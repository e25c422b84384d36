import { callService, planPath } from './client.js';

/** RenewalActionPlanController.generateActionPlan */
export default function generateActionPlan({ executionId }) {
    return callService('POST', `${planPath(executionId)}/generate`, {});
}
