import { callService } from './client.js';

/** RenewalActionPlanController.approveTask */
export default function approveTask({ taskId }) {
    return callService(
        'POST',
        `/api/workflows/tasks/${encodeURIComponent(taskId)}/approve`
    );
}
