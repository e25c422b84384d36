import { LightningElement, api } from 'lwc';
import { ownerLabel, waitsFor } from 'c/actionPlanFormat';

const WAITING = {
    label: 'Waiting',
    badgeClass: 'slds-badge slds-badge_lightest'
};

const STATUS = {
    queued: { label: 'Queued', badgeClass: 'slds-badge' },
    running: { label: 'Running', badgeClass: 'slds-badge slds-theme_info' },
    success: { label: 'Done', badgeClass: 'slds-badge slds-theme_success' },
    failed: { label: 'Failed', badgeClass: 'slds-badge slds-theme_error' }
};

/** Why a task failed, from the executor's result ({ error } or { message }). */
function failureReason(result) {
    if (!result) {
        return 'No reason was recorded.';
    }
    const error = result.error;
    if (typeof error === 'string') {
        return error;
    }
    return error?.message || result.message || 'No reason was recorded.';
}

/**
 * AI Action Items: what each AI task will change in Salesforce and how its run is going.
 * Before finalize the CSM can untick a task; the parent keeps the edit.
 * @fires ActionPlanAiTasks#taskchange { key, field: 'include', value: boolean }
 */
export default class ActionPlanAiTasks extends LightningElement {
    /** AI tasks with `included` already reflecting the CSM's unsaved edits. */
    @api tasks;
    /** true while the plan is a draft: tasks can be unticked. */
    @api editable = false;

    get rows() {
        return (this.tasks || []).map((task) => {
            // Queued but waiting for unfinished tasks: the executor does not claim it until they are done.
            const waiting =
                task.executionStatus === 'queued' &&
                Boolean(task.blockedBy && task.blockedBy.length);
            const status = waiting ? WAITING : STATUS[task.executionStatus];
            const notRun = !status;
            return {
                ...task,
                includeLabel: `Include "${task.action}"`,
                priorityLabel: `P${task.priority}`,
                rowClass: task.included
                    ? 'slds-box slds-box_x-small slds-m-bottom_x-small ai-task'
                    : 'slds-box slds-box_x-small slds-m-bottom_x-small ai-task ai-task_excluded',
                statusLabel: notRun ? notRunLabel(task) : status.label,
                statusClass: notRun
                    ? 'slds-badge slds-badge_lightest'
                    : status.badgeClass,
                isRunning: task.executionStatus === 'running',
                waitsForLabel: waitsFor(task.blockedBy),
                ownerLabel: ownerLabel(task.assignee),
                failure:
                    task.executionStatus === 'failed'
                        ? failureReason(task.executionResult)
                        : null
            };
        });
    }

    get isEmpty() {
        return !this.tasks || this.tasks.length === 0;
    }

    handleIncludeChange(event) {
        this.dispatchEvent(
            new CustomEvent('taskchange', {
                detail: {
                    key: event.target.dataset.key,
                    field: 'include',
                    value: event.detail.checked
                }
            })
        );
    }
}

function notRunLabel(task) {
    if (!task.included) {
        return 'Will not run';
    }
    if (task.taskId) {
        return 'Not started';
    }
    return task.executeImmediately
        ? 'Runs on finalize'
        : 'Scheduled on finalize';
}
