import { LightningElement, api } from 'lwc';
import { formatDate } from 'c/actionPlanFormat';

const OWNER_CLASSES = {
    AI: 'slds-badge slds-theme_info',
    CSM: 'slds-badge slds-badge_inverse',
    Customer: 'slds-badge slds-theme_warning'
};

const STATUS_LABELS = {
    pending: 'Pending',
    in_progress: 'In progress',
    done: 'Done'
};

/** Timeline: the numbered next steps, each with its date and who owns it. */
export default class ActionPlanTimeline extends LightningElement {
    /** The plan's `timeline` steps. */
    @api steps;

    get rows() {
        return (this.steps || []).map((step) => ({
            ...step,
            id: `timeline-${step.step}`,
            dateLabel: formatDate(step.date),
            ownerClass: OWNER_CLASSES[step.owner] || 'slds-badge',
            statusLabel: STATUS_LABELS[step.status] || step.status,
            numberClass:
                step.status === 'done'
                    ? 'step-number step-number_done'
                    : 'step-number'
        }));
    }
}
