import { LightningElement, api } from 'lwc';
import {
    capitalize,
    formatDate,
    formatTime,
    plural,
    urgencyClass
} from 'c/actionPlanFormat';

/** The header: renewal stage, urgency, days to renewal, and which planner wrote which plan version. */
export default class ActionPlanHeader extends LightningElement {
    /** The stage workflow execution: { stage, urgency, daysToRenewal, renewalDate }. */
    @api execution;
    /** The plan, or null before one is generated. */
    @api plan;
    /** true while the AI tasks are followed live. */
    @api live = false;

    /** Moves keyboard focus to the plan status, so a screen reader announces a finalize. */
    @api
    focusStatus() {
        this.template.querySelector('[data-id="plan-status"]')?.focus();
    }

    get urgencyLabel() {
        return `${capitalize(this.execution.urgency)} urgency`;
    }

    get urgencyBadgeClass() {
        return urgencyClass(this.execution.urgency);
    }

    get renewalLabel() {
        const days = this.execution.daysToRenewal;
        const when = formatDate(this.execution.renewalDate);
        if (days < 0) {
            return `Renewal overdue by ${plural(-days, 'day')} (${when})`;
        }
        return `${plural(days, 'day')} to renewal (${when})`;
    }

    get plannerLabel() {
        return this.plan.planner === 'llm'
            ? 'Written by the AI planner'
            : 'Written by the stage playbook';
    }

    get planStatusLabel() {
        return `Version ${this.plan.version} · ${capitalize(this.plan.status)}`;
    }

    /** Validation fixes (a due date moved to a business day...), so the CSM sees what changed and why. */
    get hasFixes() {
        return Array.isArray(this.plan.fixes) && this.plan.fixes.length > 0;
    }

    /**
     * Tasks whose copy to Salesforce Tasks is stuck (waiting for longer than the service allows, or rejected), with
     * Salesforce's reason and when it is retried. A task copied late by a few retries is not a problem and shows nothing.
     */
    get mirrorProblems() {
        const stuck = this.plan.mirror?.stuck || [];
        return stuck.map((task) => {
            let text = `"${task.action}": Salesforce rejected it (${task.reason}).`;
            if (task.retryAt) {
                text = `"${task.action}": ${task.reason}. Retrying at ${formatTime(task.retryAt)}.`;
            } else if (task.rejected === false) {
                text = `"${task.action}": ${task.reason}. Retrying in a moment.`;
            }
            return { id: task.taskId, text };
        });
    }

    get mirrorWarning() {
        const count = this.mirrorProblems.length;
        if (count === 0) {
            return null;
        }
        return `${plural(count, 'task')} could not be copied to Salesforce Tasks:`;
    }

    /** What this version changes against the one it replaces (regenerating shows what changed). */
    get diffSummary() {
        const diff = this.plan.diff;
        if (!diff) {
            return null;
        }
        const moved = diff.renewalDateMoved
            ? ` The renewal date moved from ${formatDate(diff.renewalDateMoved.from)} to ${formatDate(diff.renewalDateMoved.to)}: open tasks moved ${plural(diff.renewalDateMoved.businessDays, 'business day')}.`
            : '';
        return `Since version ${diff.previousVersion}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged.${moved}`;
    }

    get diffLines() {
        const diff = this.plan.diff;
        if (!diff) {
            return [];
        }
        return [
            ...diff.added.map((t) => ({
                id: `added-${t.key}`,
                text: `Added: ${t.action}`
            })),
            ...diff.removed.map((t) => ({
                id: `removed-${t.key}`,
                text: `Removed: ${t.action}`
            })),
            ...diff.changed.map((t) => ({
                id: `changed-${t.key}`,
                text: `Changed: ${t.action} (${t.fields.map((f) => f.field).join(', ')})`
            }))
        ];
    }
}
