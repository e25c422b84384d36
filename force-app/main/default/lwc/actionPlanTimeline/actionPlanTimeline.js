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
    done: 'Done',
    overdue: 'Overdue'
};

const NUMBER_CLASSES = {
    done: 'step-number step-number_done',
    overdue: 'step-number step-number_overdue'
};

/**
 * Timeline: the numbered next steps, each with its date, who owns it and where it stands. The service derives
 * each step's status from the tasks it stands for (done, overdue), so it moves as tasks complete.
 */
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
            statusClass:
                step.status === 'overdue' ? 'slds-text-color_error' : '',
            numberClass: NUMBER_CLASSES[step.status] || 'step-number'
        }));
    }
}
