import { createElement } from 'lwc';
import ActionPlanAddedTasks from 'c/actionPlanAddedTasks';

// The tasks added after finalize: the reminders the AI tasks set, the follow-up an unopened email brought, and the
// contact update a bounced one proposed.
const TASKS =
    require('../../renewalActionPlan/__tests__/data/finalizedPlanEngaged.json')
        .plan.addedTasks;
const FOLLOW_UP = TASKS.find((t) => t.key.endsWith('-no-open'));
const PROPOSAL = TASKS.find((t) => t.awaitingApproval);

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
        expect(items).toHaveLength(TASKS.length);
        const followUp = element.shadowRoot.querySelector(
            `li[data-id="${FOLLOW_UP.taskId}"]`
        );
        expect(text(followUp.querySelector('[data-id="action"]'))).toBe(
            'No reply from Eric Estrada to "Usage report": call Eric'
        );
        expect(text(followUp.querySelector('[data-id="explanation"]'))).toBe(
            'Why: created because the email sent on Nov 25 had no open after 3 business days'
        );
        expect(text(followUp.querySelector('[data-id="status"]'))).toBe(
            '· To do'
        );
        // A task the service added without a rule (an AI task's reminder) has no why.
        expect(
            element.shadowRoot.querySelectorAll('[data-id="explanation"]')
        ).toHaveLength(TASKS.filter((t) => t.explanation).length);
    });

    it('says a proposed contact update waits for the CSM', () => {
        const element = mount(TASKS);
        const proposal = element.shadowRoot.querySelector(
            `li[data-id="${PROPOSAL.taskId}"]`
        );
        expect(text(proposal.querySelector('[data-id="status"]'))).toBe(
            '· Awaiting your approval'
        );
        expect(text(proposal.querySelector('[data-id="explanation"]'))).toMatch(
            /^Why: flagged because the email sent on Nov 25 to priya\.patel@acmelogistics\.example bounced/
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
            taskId: PROPOSAL.taskId
        });
    });

    it('renders nothing when nothing was added', () => {
        const element = mount([]);
        expect(element.shadowRoot.querySelector('section')).toBeNull();
    });
});
