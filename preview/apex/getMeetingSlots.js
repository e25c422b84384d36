import { callService } from './client.js';

/** RenewalActionPlanController.getMeetingSlots */
export default function getMeetingSlots({ taskId }) {
    return callService(
        'GET',
        `/api/workflows/tasks/${encodeURIComponent(taskId)}/meeting-slots`
    );
}
