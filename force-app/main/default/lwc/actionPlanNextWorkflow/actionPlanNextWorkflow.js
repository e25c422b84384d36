import { LightningElement, api } from 'lwc';
import { formatDate } from 'c/actionPlanFormat';

/** Next Workflow: which stage comes next, when it starts and on what conditions. */
export default class ActionPlanNextWorkflow extends LightningElement {
    /** The plan's `nextWorkflow`, or null when this is the last stage. */
    @api nextWorkflow;

    get triggerLabel() {
        return formatDate(this.nextWorkflow?.triggerDate);
    }

    get conditions() {
        return (this.nextWorkflow?.conditions || []).map((text, index) => ({
            id: `condition-${index}`,
            text
        }));
    }
}
