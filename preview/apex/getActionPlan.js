import { callService, planPath } from './client.js';

/** RenewalActionPlanController.getActionPlan: null when no plan was generated yet. */
export default function getActionPlan({ executionId }) {
    return callService('GET', planPath(executionId), undefined, {
        allowNotFound: true
    });
}
