import { LightningElement, api } from 'lwc';
import { formatDate } from 'c/actionPlanFormat';

const STATUS_LABELS = {
    pending: 'To do',
    in_progress: 'In progress',
    completed: 'Completed',
    snoozed: 'Snoozed',
    cancelled: 'Cancelled'
};

/**
 * Tasks added to the finalized plan after finalize: a monitoring task, an engagement rule's follow-up or proposed
 * contact update. Each says why it is there ("created because the email sent on Dec 3 had no open after 3 business
 * days"); a proposed Salesforce change says it waits for the CSM's approval, and offers to approve it.
 * @fires ActionPlanAddedTasks#taskapprove { taskId }
 */
export default class ActionPlanAddedTasks extends LightningElement {
    /** The plan's `addedTasks`. */
    @api tasks;

    get rows() {
        return (this.tasks || []).map((task) => ({
            ...task,
            dueLabel: formatDate(task.dueDate),
            statusLabel: task.awaitingApproval
                ? 'Awaiting your approval'
                : STATUS_LABELS[task.status] || task.status,
            ownerLabel: task.owner === 'AI' ? 'AI task' : 'CSM task',
            approveLabel: `Approve "${task.action}"`
        }));
    }

    handleApprove(event) {
        this.dispatchEvent(
            new CustomEvent('taskapprove', {
                detail: { taskId: event.target.dataset.taskId }
            })
        );
    }

    get hasTasks() {
        return Boolean(this.tasks && this.tasks.length);
    }
}
