import { LightningElement, api } from 'lwc';

/** Key Metrics: one card per metric (ARR, target, scores...). */
export default class ActionPlanMetrics extends LightningElement {
    /** The plan's `summary.keyMetrics`: [{ label, value, detail }]. */
    @api metrics;

    get cards() {
        return (this.metrics || []).map((metric, index) => ({
            ...metric,
            id: `metric-${index}`
        }));
    }

    get isEmpty() {
        return this.cards.length === 0;
    }
}
