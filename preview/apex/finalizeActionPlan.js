import { callService, parseOr, planPath } from './client.js';

/** RenewalActionPlanController.finalizeActionPlan */
export default function finalizeActionPlan({ executionId, planId, editsJson }) {
    return callService('POST', `${planPath(executionId)}/finalize`, {
        planId,
        edits: parseOr(editsJson, [])
    });
}
