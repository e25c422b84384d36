import { createElement } from 'lwc';
import ActionPlanCsmTasks from 'c/actionPlanCsmTasks';

const TASKS =
    require('../../renewalActionPlan/__tests__/data/finalizedPlanSettled.json').plan.csmTasks.map(
        (task) => ({ ...task, included: true })
    );
const WITH_SUB_TASKS = TASKS.find((task) => task.subTasks.length > 1);

function mount(props) {
    const element = createElement('c-action-plan-csm-tasks', {
        is: ActionPlanCsmTasks
    });
    Object.assign(element, { tasks: TASKS, ...props });
    document.body.appendChild(element);
    return element;
}

describe('c-action-plan-csm-tasks', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('reports field edits with the task key, priority as a number', () => {
        const element = mount({ editable: true, editing: true });
        const handler = jest.fn();
        element.addEventListener('taskchange', handler);

        element.shadowRoot
            .querySelector('[data-key="csm-3"][data-field="priority"]')
            .dispatchEvent(
                new CustomEvent('change', { detail: { value: '4' } })
            );
        element.shadowRoot
            .querySelector('[data-key="csm-3"][data-field="dueDate"]')
            .dispatchEvent(
                new CustomEvent('change', { detail: { value: '2026-12-15' } })
            );

        expect(handler.mock.calls.map(([event]) => event.detail)).toEqual([
            { key: 'csm-3', field: 'priority', value: 4 },
            { key: 'csm-3', field: 'dueDate', value: '2026-12-15' }
        ]);
    });

    it('reports a sub-task tick with the sub-task id', () => {
        const element = mount({});
        const handler = jest.fn();
        element.addEventListener('subtasktoggle', handler);

        const boxes = element.shadowRoot.querySelectorAll(
            '[data-id="sub-task"]'
        );
        boxes[1].dispatchEvent(
            new CustomEvent('change', { detail: { checked: true } })
        );

        expect(handler.mock.calls[0][0].detail).toEqual({
            taskId: WITH_SUB_TASKS.subTasks[1].taskId,
            completed: true
        });
    });

    it('shows the saved status of each finalized task and no edit controls', () => {
        const element = mount({});

        expect(
            element.shadowRoot.querySelectorAll('[data-id="status"]')
        ).toHaveLength(TASKS.length);
        expect(
            element.shadowRoot
                .querySelector('[data-id="status"]')
                .textContent.trim()
        ).toBe('To do');
        expect(
            element.shadowRoot.querySelectorAll(
                '[data-id="include"], [data-field]'
            )
        ).toHaveLength(0);
    });

    it('offers a Done box on each finalized task and reports its tick with the task id', () => {
        const element = mount({});
        const handler = jest.fn();
        element.addEventListener('taskcomplete', handler);
        const boxes = element.shadowRoot.querySelectorAll(
            '[data-id="complete"]'
        );
        expect(boxes).toHaveLength(TASKS.length);

        boxes[0].dispatchEvent(
            new CustomEvent('change', { detail: { checked: true } })
        );

        expect(handler.mock.calls[0][0].detail).toEqual({
            taskId: TASKS[0].taskId,
            completed: true
        });
    });

    it('offers no Done box before finalize, or on a snoozed task', () => {
        const draft = mount({
            tasks: TASKS.map((task) => ({ ...task, taskId: null }))
        });
        expect(
            draft.shadowRoot.querySelectorAll('[data-id="complete"]')
        ).toHaveLength(0);
        const snoozed = mount({
            tasks: TASKS.map((task) => ({ ...task, status: 'snoozed' }))
        });
        expect(
            snoozed.shadowRoot.querySelectorAll('[data-id="complete"]')
        ).toHaveLength(0);
    });

    it('shows what a blocked task waits for and disables its completion and its sub-tasks', () => {
        const [first, ...rest] = TASKS;
        const withSubTasks = {
            ...first,
            status: 'pending',
            subTasks: [
                {
                    key: `${first.key}-1`,
                    action: 'Research the CFO',
                    taskId: 'sub-1',
                    status: 'pending'
                }
            ],
            blockedBy: [
                {
                    key: 'csm-9',
                    action: 'Send the value document',
                    owner: 'CSM',
                    status: 'pending'
                }
            ]
        };
        const element = mount({ tasks: [withSubTasks, ...rest] });
        const row = element.shadowRoot.querySelector(
            `[data-key="${first.key}"]`
        );
        expect(
            row.querySelector('[data-id="waits-for"]').textContent.trim()
        ).toBe('Waits for: Send the value document');
        expect(row.querySelector('[data-id="complete"]').disabled).toBe(true);
        expect(row.querySelector('[data-id="sub-task"]').disabled).toBe(true);
        // The others wait for nothing: their Done box is enabled.
        const other = element.shadowRoot.querySelector(
            `[data-key="${rest[0].key}"]`
        );
        expect(other.querySelector('[data-id="waits-for"]')).toBeNull();
        expect(other.querySelector('[data-id="complete"]').disabled).toBe(
            false
        );
    });

    it('shows who owns each task, and why it is not the role asked for', () => {
        const [first, second] = TASKS;
        const element = mount({
            tasks: [
                {
                    ...first,
                    assignee: {
                        id: '0055e0000000005AAA',
                        name: 'Riley Park',
                        role: 'Executive Sponsor',
                        source: 'opportunity-team',
                        note: null
                    }
                },
                {
                    ...second,
                    assignee: {
                        id: '0055e0000000001AAA',
                        name: 'Jordan Lee',
                        role: 'Renewal Manager',
                        source: 'owner-fallback',
                        note: 'No Renewal Manager on the opportunity or account team: assigned to the owner'
                    }
                }
            ]
        });
        const owners = [
            ...element.shadowRoot.querySelectorAll('[data-id="owner"]')
        ].map((node) => node.textContent.trim());
        expect(owners).toEqual([
            'Owner: Riley Park (Executive Sponsor)',
            'Owner: Jordan Lee (opportunity owner, in place of a Renewal Manager)'
        ]);
        const notes = [
            ...element.shadowRoot.querySelectorAll('[data-id="owner-note"]')
        ].map((node) => node.textContent.trim());
        expect(notes).toEqual([
            'No Renewal Manager on the opportunity or account team: assigned to the owner'
        ]);
    });

    it('offers the slot picker on an open, finalized meeting task only', () => {
        const meeting = TASKS.find((task) => task.kind === 'meeting');
        const plain = TASKS.find((task) => task.kind === 'task');
        const element = mount({
            opportunityId: '0065e0000000001AAA',
            tasks: [
                { ...meeting, status: 'pending' },
                { ...meeting, key: 'done', status: 'completed' },
                { ...plain, status: 'pending' }
            ]
        });
        const pickers = [
            ...element.shadowRoot.querySelectorAll(
                'c-action-plan-meeting-slots'
            )
        ];
        expect(pickers).toHaveLength(1);
        expect(pickers[0].taskId).toBe(meeting.taskId);
        expect(pickers[0].opportunityId).toBe('0065e0000000001AAA');
        const draft = mount({ tasks: [{ ...meeting, taskId: null }] });
        expect(
            draft.shadowRoot.querySelectorAll('c-action-plan-meeting-slots')
        ).toHaveLength(0);
    });
});
