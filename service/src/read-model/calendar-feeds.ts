/** What the routes read of calendar feeds: whose feed a token opens. */
export { calendarFeedUser } from '../db/calendar-feeds.ts';
