import { LightningElement, api } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LightningConfirm from 'lightning/confirm';
import {
    registerRefreshHandler,
    unregisterRefreshHandler
} from 'lightning/refresh';
import startWorkflow from '@salesforce/apex/RenewalActionPlanController.startWorkflow';
import getActionPlan from '@salesforce/apex/RenewalActionPlanController.getActionPlan';
import generateActionPlan from '@salesforce/apex/RenewalActionPlanController.generateActionPlan';
import finalizeActionPlan from '@salesforce/apex/RenewalActionPlanController.finalizeActionPlan';
import updateTask from '@salesforce/apex/RenewalActionPlanController.updateTask';
import approveTask from '@salesforce/apex/RenewalActionPlanController.approveTask';
import { reduceErrors } from 'c/ldsUtils';
import {
    applyEdits,
    finalizeEdits,
    finalizeMessage,
    hasActiveAiTasks,
    recordEdit,
    withSubTaskStatus,
    withTaskStatus
} from './actionPlanModel';

/** How often the plan is re-read while AI tasks are queued or running. */
export const POLL_INTERVAL_MS = 5000;

/**
 * The renewal action plan of an Opportunity: runs the stage workflow, shows the generated plan,
 * lets the CSM edit and finalize it, and follows the AI tasks live until they settle.
 */
export default class RenewalActionPlan extends LightningElement {
    @api recordId;

    execution;
    plan;
    /** Pending edits by task key, sent with Finalize. */
    edits = {};
    isLoading = true;
    loadError;
    /** The last failed action, rendered above the buttons (also toasted). */
    actionError;
    /** 'generate' or 'finalize' while that request runs. */
    busyAction;
    isEditing = false;
    isLive = false;
    pollTimer;
    connected = false;
    focusAfterRender;

    refreshHandlerId;

    connectedCallback() {
        this.connected = true;
        // RefreshView API: the record page refreshes its components when the record is edited (a new Close Date
        // moves the renewal stage and the task dates).
        this.refreshHandlerId = registerRefreshHandler(
            this,
            this.refreshHandler
        );
        this.load();
    }

    disconnectedCallback() {
        this.connected = false;
        unregisterRefreshHandler(this.refreshHandlerId);
        this.stopPolling();
    }

    /** Called by the RefreshView API; resolves true once the plan is reloaded. */
    async refreshHandler() {
        this.stopPolling();
        await this.load();
        return !this.loadError;
    }

    renderedCallback() {
        const target = this.focusAfterRender;
        this.focusAfterRender = undefined;
        if (target === 'task-inputs') {
            this.refs.csmTasks?.focusFirstInput();
        } else if (target === 'plan-status') {
            this.refs.header?.focusStatus();
        } else if (target) {
            this.template.querySelector(`[data-id="${target}"]`)?.focus();
        }
    }

    async load() {
        this.isLoading = true;
        this.loadError = undefined;
        try {
            const response = await startWorkflow({
                opportunityId: this.recordId
            });
            this.execution = JSON.parse(response).execution;
            this.setPlan(
                this.execution.currentPlanId ? await this.readPlan() : null
            );
        } catch (error) {
            this.loadError = error;
        } finally {
            this.isLoading = false;
        }
    }

    async readPlan() {
        const response = await getActionPlan({
            opportunityId: this.recordId,
            executionId: this.execution.id
        });
        return response ? JSON.parse(response).plan : null;
    }

    setPlan(plan) {
        this.plan = plan;
        this.stopPolling();
        if (this.connected && hasActiveAiTasks(plan)) {
            this.isLive = true;
            // Re-read only after the previous answer arrived, so requests never pile up.
            // eslint-disable-next-line @lwc/lwc/no-async-operation
            this.pollTimer = setTimeout(() => this.poll(), POLL_INTERVAL_MS);
        }
    }

    stopPolling() {
        clearTimeout(this.pollTimer);
        this.pollTimer = undefined;
        this.isLive = false;
    }

    async poll() {
        this.pollTimer = undefined;
        try {
            const plan = await this.readPlan();
            if (this.connected) {
                this.setPlan(plan);
            }
        } catch (error) {
            this.stopPolling();
            this.reportFailure(
                'Live updates stopped. Refresh to try again.',
                error
            );
        }
    }

    get hasExecution() {
        return Boolean(this.execution);
    }

    // ----- plan -----

    get view() {
        return applyEdits(this.plan, this.edits);
    }

    get isDraft() {
        return this.plan?.status === 'draft';
    }

    get isFinalized() {
        return this.plan?.status === 'finalized';
    }

    get isBusy() {
        return Boolean(this.busyAction);
    }

    get busyMessage() {
        return this.busyAction === 'generate'
            ? 'Generating the action plan… This can take up to 90 seconds; if the AI planner is slower, the playbook writes the plan.'
            : 'Finalizing the action plan…';
    }

    get editButtonLabel() {
        return this.isEditing ? 'Done Editing' : 'Edit Tasks';
    }

    get hasEdits() {
        return Object.keys(this.edits).length > 0;
    }

    // ----- actions -----

    handleRefresh() {
        this.actionError = undefined;
        this.stopPolling();
        this.load();
    }

    async handleGenerate() {
        if (this.hasEdits) {
            const confirmed = await LightningConfirm.open({
                label: 'Regenerate the action plan?',
                message:
                    'A new draft replaces this one and your unsaved task edits are lost.',
                theme: 'warning'
            });
            if (!confirmed) {
                this.focusOn('generate');
                return;
            }
        }
        await this.run('generate', async () => {
            const response = await generateActionPlan({
                opportunityId: this.recordId,
                executionId: this.execution.id
            });
            this.edits = {};
            this.isEditing = false;
            this.setPlan(JSON.parse(response).plan);
            this.toast(
                'success',
                'Action plan generated',
                `Version ${this.plan.version} is ready for review.`
            );
        });
    }

    /** Moves keyboard focus back to a button after a dialog closes (the dialog gives it back to the page). */
    focusOn(dataId) {
        this.template.querySelector(`[data-id="${dataId}"]`)?.focus();
    }

    handleToggleEditing() {
        this.isEditing = !this.isEditing;
        this.focusAfterRender = this.isEditing ? 'task-inputs' : 'edit-button';
    }

    handleTaskChange(event) {
        this.edits = recordEdit(this.edits, event.detail);
    }

    async handleFinalize() {
        const message = finalizeMessage(this.view);
        const confirmed = await LightningConfirm.open({
            label: 'Finalize the action plan?',
            message: `${message} This cannot be undone.`,
            theme: 'warning'
        });
        if (!confirmed) {
            this.focusOn('finalize');
            return;
        }
        await this.run('finalize', async () => {
            const response = await finalizeActionPlan({
                opportunityId: this.recordId,
                executionId: this.execution.id,
                planId: this.plan.id,
                editsJson: JSON.stringify(finalizeEdits(this.plan, this.edits))
            });
            this.edits = {};
            this.isEditing = false;
            this.setPlan(JSON.parse(response).plan);
            this.focusAfterRender = 'plan-status';
            this.toast('success', 'Action plan finalized', message);
        });
    }

    /** Marks a CSM task done (or not), then re-reads the plan: the timeline follows the task. */
    async handleTaskComplete(event) {
        const { taskId, completed } = event.detail;
        const status = completed ? 'completed' : 'pending';
        this.plan = withTaskStatus(this.plan, taskId, status);
        try {
            await updateTask({
                opportunityId: this.recordId,
                taskId,
                changesJson: JSON.stringify({ status })
            });
            this.setPlan(await this.readPlan());
        } catch (error) {
            this.plan = withTaskStatus(
                this.plan,
                taskId,
                completed ? 'pending' : 'completed'
            );
            this.reportFailure('The task could not be saved.', error);
        }
    }

    /** The CSM approves a change an engagement rule proposed (a bounce recorded on the contact): it runs next. */
    async handleTaskApprove(event) {
        try {
            await approveTask({
                opportunityId: this.recordId,
                taskId: event.detail.taskId
            });
            this.setPlan(await this.readPlan());
        } catch (error) {
            this.reportFailure('The change could not be approved.', error);
        }
    }

    async handleSubTaskToggle(event) {
        const { taskId, completed } = event.detail;
        const status = completed ? 'completed' : 'pending';
        this.plan = withSubTaskStatus(this.plan, taskId, status);
        try {
            await updateTask({
                opportunityId: this.recordId,
                taskId,
                changesJson: JSON.stringify({ status })
            });
        } catch (error) {
            this.plan = withSubTaskStatus(
                this.plan,
                taskId,
                completed ? 'pending' : 'completed'
            );
            this.reportFailure('The sub-task could not be saved.', error);
        }
    }

    /** Runs one button's request with the busy state, turning failures into words. */
    async run(action, request) {
        this.busyAction = action;
        this.actionError = undefined;
        try {
            await request();
        } catch (error) {
            this.reportFailure(
                action === 'generate'
                    ? 'The action plan could not be generated.'
                    : 'The action plan could not be finalized.',
                error
            );
        } finally {
            this.busyAction = undefined;
        }
    }

    reportFailure(title, error) {
        const message = reduceErrors(error).join(' ') || 'Unknown error.';
        this.actionError = `${title} ${message}`;
        this.toast('error', title, message);
    }

    toast(variant, title, message) {
        this.dispatchEvent(new ShowToastEvent({ title, message, variant }));
    }
}
