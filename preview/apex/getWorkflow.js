import { callService } from './client.js';

/** RenewalActionPlanController.getWorkflow: the current execution, or `{ "execution": null }`; starts nothing. */
export default function getWorkflow({ opportunityId }) {
    return callService(
        'GET',
        `/api/workflows/executions?opportunityId=${encodeURIComponent(opportunityId)}`
    );
}
