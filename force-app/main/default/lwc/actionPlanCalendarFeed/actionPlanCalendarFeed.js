import { LightningElement } from 'lwc';
import createCalendarFeed from '@salesforce/apex/RenewalActionPlanController.createCalendarFeed';
import revokeCalendarFeed from '@salesforce/apex/RenewalActionPlanController.revokeCalendarFeed';
import { reduceErrors } from 'c/ldsUtils';

/**
 * "Subscribe in Google/Outlook": makes the CSM's private calendar feed URL (their open plan tasks and booked
 * meetings) and shows it once to copy into Google Calendar or Outlook; a new one replaces the old; revoke ends it.
 */
export default class ActionPlanCalendarFeed extends LightningElement {
    url;
    revoked = false;
    loading = false;
    error;

    get errorMessage() {
        return this.error ? reduceErrors(this.error).join(', ') : undefined;
    }

    get subscribeLabel() {
        return this.url
            ? 'New URL (the old one stops working)'
            : 'Subscribe in Google/Outlook';
    }

    async handleSubscribe() {
        await this.run(async () => {
            this.url = JSON.parse(await createCalendarFeed()).url;
            this.revoked = false;
        });
    }

    async handleRevoke() {
        await this.run(async () => {
            await revokeCalendarFeed();
            this.url = undefined;
            this.revoked = true;
        });
    }

    async run(action) {
        this.loading = true;
        this.error = undefined;
        try {
            await action();
        } catch (error) {
            this.error = error;
        } finally {
            this.loading = false;
        }
    }
}
