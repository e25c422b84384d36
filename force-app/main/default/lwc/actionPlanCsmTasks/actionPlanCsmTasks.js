import { LightningElement, api } from 'lwc';
import {
    capitalize,
    formatDate,
    ownerLabel,
    waitsFor
} from 'c/actionPlanFormat';

const STATUS_LABELS = {
    pending: 'To do',
    in_progress: 'In progress',
    completed: 'Completed',
    snoozed: 'Snoozed',
    cancelled: 'Cancelled'
};

/**
 * CSM Action Items: the human work, with priority, due date, complexity and sub-tasks.
 * Edits and sub-task ticks are reported to the parent, which saves them.
 * @fires ActionPlanCsmTasks#taskchange { key, field, value } field: include|action|description|priority|dueDate
 * @fires ActionPlanCsmTasks#subtasktoggle { taskId, completed }
 * @fires ActionPlanCsmTasks#taskcomplete { taskId, completed } a finalized task marked done or not
 */
export default class ActionPlanCsmTasks extends LightningElement {
    /** CSM tasks with the CSM's unsaved edits already applied. */
    @api tasks;
    /** true while the plan is a draft: tasks can be unticked. */
    @api editable = false;
    /** true in Edit Tasks mode: action, description, priority and due date become inputs. */
    @api editing = false;
    /** The opportunity, for a meeting task's slot picker (c-action-plan-meeting-slots). */
    @api opportunityId;

    /** Moves keyboard focus to the first text input, after Edit Tasks is pressed. */
    @api
    focusFirstInput() {
        const input = this.template.querySelector('[data-field="action"]');
        if (input) {
            input.focus();
        }
    }

    get rows() {
        return (this.tasks || []).map((task) => ({
            ...task,
            includeLabel: `Include "${task.action}"`,
            rowClass: task.included
                ? 'slds-box slds-box_x-small slds-m-bottom_x-small csm-task'
                : 'slds-box slds-box_x-small slds-m-bottom_x-small csm-task csm-task_excluded',
            priorityLabel: `P${task.priority}`,
            dueLabel: formatDate(task.dueDate),
            complexityLabel: capitalize(task.complexity),
            statusLabel: task.taskId
                ? STATUS_LABELS[task.status] || task.status
                : null,
            // A finalized task the CSM can tick off (or back); a snoozed or cancelled one is not theirs to tick.
            completable:
                Boolean(task.taskId) &&
                ['pending', 'in_progress', 'completed'].includes(task.status),
            completed: task.status === 'completed',
            // A finalized, open meeting task can be booked in the calendar.
            bookable:
                task.kind === 'meeting' &&
                Boolean(task.taskId) &&
                ['pending', 'in_progress'].includes(task.status),
            // Waiting for unfinished tasks: it (and its sub-tasks) can't be completed yet; the service would answer 409.
            blocked: isBlocked(task),
            waitsForLabel: waitsFor(task.blockedBy),
            ownerLabel: ownerLabel(task.assignee),
            ownerNote: task.assignee ? task.assignee.note : null,
            hasSubTasks: task.subTasks.length > 0,
            subTasks: task.subTasks.map((subTask) => ({
                ...subTask,
                completed: subTask.status === 'completed',
                // Sub-tasks exist as records (and can be saved) only once the plan is finalized.
                disabled:
                    !subTask.taskId ||
                    (isBlocked(task) && subTask.status !== 'completed')
            }))
        }));
    }

    get isEmpty() {
        return !this.tasks || this.tasks.length === 0;
    }

    handleIncludeChange(event) {
        this.notifyChange(
            event.target.dataset.key,
            'include',
            event.detail.checked
        );
    }

    handleFieldChange(event) {
        const { key, field } = event.target.dataset;
        const value =
            field === 'priority'
                ? Number(event.detail.value)
                : event.detail.value;
        this.notifyChange(key, field, value);
    }

    handleSubTaskChange(event) {
        this.dispatchEvent(
            new CustomEvent('subtasktoggle', {
                detail: {
                    taskId: event.target.dataset.taskId,
                    completed: event.detail.checked
                }
            })
        );
    }

    handleCompleteChange(event) {
        this.dispatchEvent(
            new CustomEvent('taskcomplete', {
                detail: {
                    taskId: event.target.dataset.taskId,
                    completed: event.detail.checked
                }
            })
        );
    }

    notifyChange(key, field, value) {
        this.dispatchEvent(
            new CustomEvent('taskchange', { detail: { key, field, value } })
        );
    }
}

function isBlocked(task) {
    return (
        Boolean(task.blockedBy && task.blockedBy.length) &&
        task.status !== 'completed'
    );
}
