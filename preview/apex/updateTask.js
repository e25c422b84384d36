import { callService, parseOr } from './client.js';

/** RenewalActionPlanController.updateTask */
export default function updateTask({ taskId, changesJson }) {
    return callService(
        'PATCH',
        `/api/workflows/tasks/${encodeURIComponent(taskId)}`,
        parseOr(changesJson, {})
    );
}
