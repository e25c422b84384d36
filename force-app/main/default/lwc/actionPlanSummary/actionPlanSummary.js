import { LightningElement, api } from 'lwc';

/**
 * Process Completed: what each finished workflow step produced; the steps still waiting (for the CSM's input, or
 * not run) under their own heading; then the key decisions, each once (a step's decision is listed there, not
 * repeated on the step).
 */
export default class ActionPlanSummary extends LightningElement {
    /** The plan's `summary`: { completedSteps, keyDecisions }. */
    @api summary;

    get allSteps() {
        return (this.summary?.completedSteps || []).map((step, index) => ({
            ...step,
            id: `step-${index}`
        }));
    }

    get doneSteps() {
        return this.allSteps.filter((step) => step.status === 'done');
    }

    get waitingSteps() {
        return this.allSteps.filter((step) => step.status !== 'done');
    }

    get hasDoneSteps() {
        return this.doneSteps.length > 0;
    }

    get hasWaitingSteps() {
        return this.waitingSteps.length > 0;
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
