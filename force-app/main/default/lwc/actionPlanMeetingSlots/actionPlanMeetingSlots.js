import { LightningElement, api } from 'lwc';
import getMeetingSlots from '@salesforce/apex/RenewalActionPlanController.getMeetingSlots';
import bookMeeting from '@salesforce/apex/RenewalActionPlanController.bookMeeting';
import { reduceErrors } from 'c/ldsUtils';

/**
 * A meeting task's slot picker: on request it shows the three slots the service proposes in the org's business
 * hours (local date and time, and the zone), and books the one the CSM picks as a Salesforce Event, or the first
 * one with "Book the first slot". Once queued it says so; the Event appears on the opportunity when the booking runs.
 */
export default class ActionPlanMeetingSlots extends LightningElement {
    @api opportunityId;
    /** The meeting task's id (a finalized CSM task of kind meeting). */
    @api taskId;

    slots;
    booked = false;
    loading = false;
    error;

    get showFind() {
        return !this.slots && !this.booked;
    }

    get hasSlots() {
        return Boolean(this.slots && this.slots.length) && !this.booked;
    }

    get noSlots() {
        return Boolean(this.slots) && this.slots.length === 0;
    }

    get errorMessage() {
        return this.error ? reduceErrors(this.error).join(', ') : undefined;
    }

    async handleFind() {
        this.loading = true;
        this.error = undefined;
        try {
            const answer = JSON.parse(
                await getMeetingSlots({
                    opportunityId: this.opportunityId,
                    taskId: this.taskId
                })
            );
            this.booked = Boolean(answer.booking);
            this.slots = answer.slots.map((slot) => ({
                ...slot,
                label: `${slot.localDate} ${slot.localTime} (${slot.timeZone})`,
                pickLabel: `Book ${slot.localDate} ${slot.localTime}`
            }));
        } catch (error) {
            this.error = error;
        } finally {
            this.loading = false;
        }
    }

    handlePick(event) {
        return this.book(event.target.dataset.start);
    }

    handleBookFirst() {
        return this.book(null);
    }

    async book(slotStart) {
        this.loading = true;
        this.error = undefined;
        try {
            await bookMeeting({
                opportunityId: this.opportunityId,
                taskId: this.taskId,
                slotStart
            });
            this.booked = true;
        } catch (error) {
            this.error = error;
        } finally {
            this.loading = false;
        }
    }
}
