import { callService } from './client.js';

/** RenewalActionPlanController.createCalendarFeed */
export default function createCalendarFeed() {
    return callService('POST', '/api/calendar/feed');
}
