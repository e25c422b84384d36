import { createElement } from 'lwc';
import ActionPlanMetrics from 'c/actionPlanMetrics';

describe('c-action-plan-metrics', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('shows one card per metric with its detail', () => {
        const element = createElement('c-action-plan-metrics', {
            is: ActionPlanMetrics
        });
        element.metrics = [
            { label: 'ARR', value: '$248,000', detail: 'Current contract' },
            { label: 'Relationship', value: '8/10', detail: null }
        ];
        document.body.appendChild(element);

        const cards = element.shadowRoot.querySelectorAll('[data-id="metric"]');
        expect(cards).toHaveLength(2);
        expect(
            [...cards[0].querySelectorAll('dt, dd')].map((node) =>
                node.textContent.trim()
            )
        ).toEqual(['ARR', '$248,000', 'Current contract']);
        expect(cards[1].querySelectorAll('dd')).toHaveLength(1);
    });

    it('says so when there are no metrics', () => {
        const element = createElement('c-action-plan-metrics', {
            is: ActionPlanMetrics
        });
        element.metrics = [];
        document.body.appendChild(element);

        expect(element.shadowRoot.querySelector('p').textContent).toBe(
            'No metrics for this plan.'
        );
    });
});
