/** What the routes read of the service's notifications: a user's own. */
export { notificationsOf } from '../db/notifications.ts';
