import { callService } from './client.js';

/** RenewalActionPlanController.bookMeeting */
export default function bookMeeting({ taskId, slotStart }) {
    return callService(
        'POST',
        `/api/workflows/tasks/${encodeURIComponent(taskId)}/meeting`,
        { slotStart: slotStart || null }
    );
}
