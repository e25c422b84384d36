import { createElement } from 'lwc';
import ActionPlanAiTasks from 'c/actionPlanAiTasks';

const TASK = {
    key: 'ai-1',
    action: 'Update the primary contact',
    description: 'Eric Estrada owns the renewal now.',
    processor: 'salesforce-contact-updater',
    priority: 1,
    executeImmediately: true,
    change: null,
    taskId: null,
    executionStatus: null,
    executionResult: null,
    included: true
};

function mount(tasks, editable = false) {
    const element = createElement('c-action-plan-ai-tasks', {
        is: ActionPlanAiTasks
    });
    element.tasks = tasks;
    element.editable = editable;
    document.body.appendChild(element);
    return element;
}

const statuses = (element) =>
    [...element.shadowRoot.querySelectorAll('[data-id="status"]')].map((node) =>
        node.textContent.trim()
    );

describe('c-action-plan-ai-tasks', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('says when each draft task will run', () => {
        const element = mount([
            TASK,
            { ...TASK, key: 'ai-2', executeImmediately: false },
            { ...TASK, key: 'ai-3', included: false }
        ]);

        expect(statuses(element)).toEqual([
            'Runs on finalize',
            'Scheduled on finalize',
            'Will not run'
        ]);
    });

    it('gives the reason of a failure in whichever shape the executor stored it', () => {
        const element = mount([
            {
                ...TASK,
                taskId: 't1',
                executionStatus: 'failed',
                executionResult: { error: { message: 'Row locked.' } }
            },
            {
                ...TASK,
                key: 'ai-2',
                taskId: 't2',
                executionStatus: 'failed',
                executionResult: { message: 'Bad metadata.' }
            },
            {
                ...TASK,
                key: 'ai-3',
                taskId: 't3',
                executionStatus: 'failed',
                executionResult: null
            }
        ]);

        const reasons = [
            ...element.shadowRoot.querySelectorAll('[data-id="failure"]')
        ].map((node) => node.textContent.trim());
        expect(reasons).toEqual([
            'Failed: Row locked.',
            'Failed: Bad metadata.',
            'Failed: No reason was recorded.'
        ]);
    });

    it('announces status changes politely to screen readers', () => {
        const element = mount([TASK]);

        expect(
            element.shadowRoot.querySelector('ul').getAttribute('aria-live')
        ).toBe('polite');
    });

    it('reports an untick with the task key', () => {
        const element = mount([TASK], true);
        const handler = jest.fn();
        element.addEventListener('taskchange', handler);

        const box = element.shadowRoot.querySelector('[data-id="include"]');
        expect(box.label).toBe('Include "Update the primary contact"');
        box.dispatchEvent(
            new CustomEvent('change', { detail: { checked: false } })
        );

        expect(handler.mock.calls[0][0].detail).toEqual({
            key: 'ai-1',
            field: 'include',
            value: false
        });
    });

    it('shows a field write awaiting approval unticked, and marks one suggested from CRM text', () => {
        const proposed = {
            ...TASK,
            key: 'ai-2',
            processor: 'crm-opportunity-updater',
            included: false,
            needsApproval: true,
            suggestedFromCrmText: true
        };
        const element = mount([TASK, proposed], true);

        const boxes = element.shadowRoot.querySelectorAll(
            '[data-id="include"]'
        );
        expect([...boxes].map((box) => box.checked)).toEqual([true, false]);
        expect(
            element.shadowRoot
                .querySelector('[data-id="approval"]')
                .textContent.trim()
        ).toBe('Writes to Salesforce: runs only if you tick it.');
        expect(
            element.shadowRoot
                .querySelector('[data-id="crm-text"]')
                .textContent.trim()
        ).toBe('Suggested from CRM text');
        expect(statuses(element)).toEqual(['Runs on finalize', 'Will not run']);
    });

    it('says so when the plan has no AI tasks', () => {
        const element = mount([]);

        expect(element.shadowRoot.querySelector('p').textContent).toBe(
            'No AI tasks in this plan.'
        );
    });

    it('shows a queued task that waits for another as Waiting, with what it waits for and its owner', () => {
        const element = mount([
            {
                ...TASK,
                taskId: 'task-1',
                executionStatus: 'queued',
                blockedBy: [
                    {
                        key: 'csm-1',
                        action: 'Engage the economic buyer (CFO)',
                        owner: 'CSM',
                        status: 'pending'
                    }
                ],
                assignee: {
                    id: '00G5e0000000001EAA',
                    name: 'Renewal Desk',
                    role: 'Renewal Manager',
                    source: 'queue',
                    note: 'No Renewal Manager on the opportunity or account team: assigned to the Renewal Desk queue'
                }
            },
            {
                ...TASK,
                key: 'ai-2',
                taskId: 'task-2',
                executionStatus: 'queued'
            }
        ]);
        expect(statuses(element)).toEqual(['Waiting', 'Queued']);
        expect(
            element.shadowRoot
                .querySelector('[data-id="waits-for"]')
                .textContent.trim()
        ).toBe('Waits for: Engage the economic buyer (CFO)');
        expect(
            element.shadowRoot
                .querySelector('[data-id="owner"]')
                .textContent.trim()
        ).toBe('Owner: Renewal Desk queue (Renewal Manager)');
    });
});
