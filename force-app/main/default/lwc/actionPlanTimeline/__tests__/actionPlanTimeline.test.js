import { createElement } from 'lwc';
import ActionPlanTimeline from 'c/actionPlanTimeline';

const step = (over) => ({
    step: 1,
    date: '2026-12-04',
    owner: 'CSM',
    title: 'Call Eric',
    description: 'Introduce the renewal.',
    status: 'pending',
    taskKeys: ['csm-1'],
    ...over
});

function mount(steps) {
    const element = createElement('c-action-plan-timeline', {
        is: ActionPlanTimeline
    });
    element.steps = steps;
    document.body.appendChild(element);
    return element;
}

describe('c-action-plan-timeline', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('shows each step as the service derived it: done, overdue, in progress, pending', () => {
        const element = mount([
            step({ status: 'done' }),
            step({ step: 2, status: 'overdue' }),
            step({ step: 3, status: 'in_progress' }),
            step({ step: 4, owner: 'Customer', taskKeys: [] })
        ]);
        const rows = element.shadowRoot.querySelectorAll(
            '[data-id="timeline-step"]'
        );
        expect([...rows].map((row) => row.dataset.status)).toEqual([
            'done',
            'overdue',
            'in_progress',
            'pending'
        ]);
        const labels = [
            ...element.shadowRoot.querySelectorAll('[data-id="status"]')
        ].map((node) => node.textContent.trim());
        expect(labels).toEqual(['Done', 'Overdue', 'In progress', 'Pending']);
        expect(
            rows[1]
                .querySelector('[data-id="status"]')
                .classList.contains('slds-text-color_error')
        ).toBe(true);
        expect(
            rows[0]
                .querySelector('.step-number')
                .classList.contains('step-number_done')
        ).toBe(true);
    });
});
