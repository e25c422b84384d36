import { callService } from './client.js';

/** RenewalActionPlanController.startWorkflow */
export default function startWorkflow({ opportunityId }) {
    return callService('POST', '/api/workflows/executions', { opportunityId });
}
