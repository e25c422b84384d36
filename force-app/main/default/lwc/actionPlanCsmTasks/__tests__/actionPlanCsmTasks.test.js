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
});
