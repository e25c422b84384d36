import { LightningElement, api } from 'lwc';

/** Process Completed: what each workflow step produced and decided, then the key decisions. */
export default class ActionPlanSummary extends LightningElement {
    /** The plan's `summary`: { completedSteps, keyDecisions }. */
    @api summary;

    get steps() {
        return (this.summary?.completedSteps || []).map((step, index) => {
            const done = step.status === 'done';
            return {
                ...step,
                id: `step-${index}`,
                iconName: done ? 'utility:success' : 'utility:clear',
                iconVariant: done ? 'success' : 'warning',
                statusLabel: done ? 'Done' : 'Not done'
            };
        });
    }

    get decisions() {
        return (this.summary?.keyDecisions || []).map((text, index) => ({
            id: `decision-${index}`,
            text
        }));
    }

    get hasDecisions() {
        return this.decisions.length > 0;
    }
}
