import { callService } from './client.js';

/** RenewalActionPlanController.revokeCalendarFeed */
export default function revokeCalendarFeed() {
    return callService('DELETE', '/api/calendar/feed');
}
