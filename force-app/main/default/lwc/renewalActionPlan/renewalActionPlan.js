import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import CLOSE_DATE_FIELD from '@salesforce/schema/Opportunity.CloseDate';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LightningConfirm from 'lightning/confirm';
import {
    registerRefreshHandler,
    unregisterRefreshHandler
} from 'lightning/refresh';
import getWorkflow from '@salesforce/apex/RenewalActionPlanController.getWorkflow';
import startWorkflow from '@salesforce/apex/RenewalActionPlanController.startWorkflow';
import getActionPlan from '@salesforce/apex/RenewalActionPlanController.getActionPlan';
import generateActionPlan from '@salesforce/apex/RenewalActionPlanController.generateActionPlan';
import finalizeActionPlan from '@salesforce/apex/RenewalActionPlanController.finalizeActionPlan';
import updateTask from '@salesforce/apex/RenewalActionPlanController.updateTask';
import approveTask from '@salesforce/apex/RenewalActionPlanController.approveTask';
import { reduceErrors } from 'c/ldsUtils';
import { formatDate } from 'c/actionPlanFormat';
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

const BUSY_MESSAGES = {
    start: 'Starting the workflow…',
    generate:
        'Generating the action plan… This can take up to 90 seconds; if the AI planner is slower, the playbook writes the plan.',
    finalize: 'Finalizing the action plan…'
};

const FAILURE_TITLES = {
    start: 'The workflow could not be started.',
    generate: 'The action plan could not be generated.',
    finalize: 'The action plan could not be finalized.'
};

/**
 * The renewal action plan of an Opportunity: shows the stage workflow (started by the CSM's Start, a Flow or the
 * bulk start), the generated plan, lets the CSM edit and finalize it, and follows the AI tasks live until they
 * settle. Viewing reads only: every record anyone opens would otherwise start a workflow.
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
    /** The Close Date Lightning Data Service holds for this record (the record page's own copy). */
    closeDate;
    /** `{ from, to }` once the Close Date changed while the card was open: the plan's dates follow the old one. */
    closeDateMoved;

    /** The record page's Close Date: an edit on the page arrives here, and the card says the plan must follow it. */
    @wire(getRecord, { recordId: '$recordId', fields: [CLOSE_DATE_FIELD] })
    wiredOpportunity({ data }) {
        const closeDate = data ? getFieldValue(data, CLOSE_DATE_FIELD) : null;
        if (!closeDate) {
            return;
        }
        if (this.closeDate && closeDate !== this.closeDate) {
            this.closeDateMoved = {
                from: this.closeDateMoved?.from ?? this.closeDate,
                to: closeDate
            };
        }
        this.closeDate = closeDate;
    }

    connectedCallback() {
        this.connected = true;
        // RefreshView API: the record page refreshes its components when the record is edited. The host element and
        // a bound handler are the form that works under Lightning Locker as well as LWS (the LWS-only form passes
        // `this`, which Locker does not accept as an element): "Use RefreshView API", LWC developer guide.
        this.refreshHandlerId = registerRefreshHandler(
            this.template.host,
            this.refreshHandler.bind(this)
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

    /** Reads the current execution (none yet: the Start button) and its plan; starts nothing. */
    async load() {
        this.isLoading = true;
        this.loadError = undefined;
        try {
            const response = await getWorkflow({
                opportunityId: this.recordId
            });
            await this.showExecution(JSON.parse(response).execution);
        } catch (error) {
            this.loadError = error;
        } finally {
            this.isLoading = false;
        }
    }

    async showExecution(execution) {
        this.execution = execution ?? undefined;
        this.setPlan(execution?.currentPlanId ? await this.readPlan() : null);
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

    /** Why the plan should follow the renewal date again, or undefined when it is current. */
    get replanNotice() {
        if (!this.execution) {
            return undefined;
        }
        if (this.closeDateMoved) {
            return `The Close Date moved from ${formatDate(this.closeDateMoved.from)} to ${formatDate(this.closeDateMoved.to)}. Follow it: the service reads the opportunity again, moves the renewal stage and the scheduled workflow, and the plan can then be re-planned.`;
        }
        const change = this.execution.stageChange;
        return change
            ? `${change.message}. Follow it to start the ${change.stage} workflow.`
            : undefined;
    }

    // ----- plan -----

    /**
     * The fields Salesforce hides from this user that the plan was made or is shown without (the service masks them
     * as [withheld] in a plan someone with more access made).
     */
    get withheldNotice() {
        const withheld = this.plan?.withheld || [];
        return withheld.length
            ? `Not visible to you, so left out of this plan or shown as [withheld]: ${withheld
                  .map((w) => w.label)
                  .join(', ')}.`
            : undefined;
    }

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
        return BUSY_MESSAGES[this.busyAction] ?? '';
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

    /**
     * The explicit start: the service reads the opportunity from Salesforce, follows its renewal date and starts (or
     * returns) the workflow of the stage that date puts it in. Also what "follow the new date" does.
     */
    async handleStart() {
        await this.run('start', async () => {
            const response = await startWorkflow({
                opportunityId: this.recordId
            });
            this.closeDateMoved = undefined;
            await this.showExecution(JSON.parse(response).execution);
        });
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
            this.reportFailure(FAILURE_TITLES[action], error);
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
