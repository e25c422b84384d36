import { createElement } from 'lwc';
import ActionPlanAddedTasks from 'c/actionPlanAddedTasks';

const TASKS =
    require('../../renewalActionPlan/__tests__/data/finalizedPlanSettled.json')
        .plan.addedTasks;

function mount(tasks) {
    const element = createElement('c-action-plan-added-tasks', {
        is: ActionPlanAddedTasks
    });
    element.tasks = tasks;
    document.body.appendChild(element);
    return element;
}

const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

describe('c-action-plan-added-tasks', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('shows each added task with why it was added', () => {
        const element = mount(TASKS);
        const items = [...element.shadowRoot.querySelectorAll('li')];
        expect(items).toHaveLength(2);
        expect(text(items[0].querySelector('[data-id="action"]'))).toBe(
            'No reply from Eric Estrada to "Usage report": call Eric'
        );
        expect(text(items[0].querySelector('[data-id="explanation"]'))).toBe(
            'Why: created because the email sent on Dec 1 had no open after 3 business days'
        );
        expect(text(items[0].querySelector('[data-id="status"]'))).toBe(
            '· To do'
        );
    });

    it('says a proposed contact update waits for the CSM', () => {
        const element = mount(TASKS);
        const proposal = element.shadowRoot.querySelectorAll('li')[1];
        expect(text(proposal.querySelector('[data-id="status"]'))).toBe(
            '· Awaiting your approval'
        );
        expect(text(proposal.querySelector('[data-id="explanation"]'))).toMatch(
            /^Why: flagged because the email sent on Dec 1 to priya\.patel@acmelogistics\.example bounced/
        );
    });

    it('offers Approve only on the proposal, and reports which task', () => {
        const element = mount(TASKS);
        const handler = jest.fn();
        element.addEventListener('taskapprove', handler);
        const buttons = element.shadowRoot.querySelectorAll(
            'lightning-button[data-id="approve"]'
        );
        expect(buttons).toHaveLength(1);
        buttons[0].click();
        expect(handler.mock.calls[0][0].detail).toEqual({
            taskId: TASKS[1].taskId
        });
    });

    it('renders nothing when nothing was added', () => {
        const element = mount([]);
        expect(element.shadowRoot.querySelector('section')).toBeNull();
    });
});
