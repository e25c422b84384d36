import {
    applyEdits,
    finalizeEdits,
    hasActiveAiTasks,
    recordEdit,
    withSubTaskStatus
} from '../actionPlanModel';

const DRAFT = require('./data/draftPlan.json').plan;
const SETTLED = require('./data/finalizedPlanSettled.json').plan;

const withAiStatuses = (statuses, included = true) => ({
    ...DRAFT,
    aiTasks: statuses.map((executionStatus, index) => ({
        ...DRAFT.aiTasks[index],
        blockedBy: [],
        executionStatus,
        included
    }))
});

describe('hasActiveAiTasks', () => {
    it('is true while a task is queued', () => {
        expect(hasActiveAiTasks(withAiStatuses(['success', 'queued']))).toBe(
            true
        );
    });

    it('is true while a task is running', () => {
        expect(hasActiveAiTasks(withAiStatuses(['running', 'failed']))).toBe(
            true
        );
    });

    it('is false while the only queued task waits for an unfinished task', () => {
        const plan = withAiStatuses(['success', 'queued']);
        plan.aiTasks[1] = {
            ...plan.aiTasks[1],
            blockedBy: [
                { key: 'csm-1', action: 'Engage the CFO', status: 'pending' }
            ]
        };
        expect(hasActiveAiTasks(plan)).toBe(false);
        plan.aiTasks[1] = { ...plan.aiTasks[1], blockedBy: [] };
        expect(hasActiveAiTasks(plan)).toBe(true);
    });

    it('is false once every task succeeded or failed', () => {
        expect(hasActiveAiTasks(SETTLED)).toBe(false);
    });

    it('ignores tasks the CSM unticked', () => {
        expect(hasActiveAiTasks(withAiStatuses(['queued'], false))).toBe(false);
    });

    it('is false without a plan or before finalize', () => {
        expect(hasActiveAiTasks(null)).toBe(false);
        expect(hasActiveAiTasks(DRAFT)).toBe(false);
    });
});

describe('edits', () => {
    it('applies recorded edits without touching the plan', () => {
        let edits = recordEdit(
            {},
            { key: 'csm-2', field: 'priority', value: 5 }
        );
        edits = recordEdit(edits, {
            key: 'csm-2',
            field: 'dueDate',
            value: '2026-12-10'
        });
        edits = recordEdit(edits, {
            key: 'ai-3',
            field: 'include',
            value: false
        });

        const view = applyEdits(DRAFT, edits);

        expect(view.csmTasks[1]).toMatchObject({
            priority: 5,
            dueDate: '2026-12-10',
            included: true
        });
        expect(view.aiTasks[2].included).toBe(false);
        expect(view.aiTasks[0].included).toBe(true);
        expect(DRAFT.csmTasks[1].priority).toBe(1);
    });

    it('sends only edited tasks, AI tasks as include flags only', () => {
        const csm3 = DRAFT.csmTasks.find((task) => task.key === 'csm-3');
        const edits = recordEdit(
            recordEdit({}, { key: 'ai-1', field: 'include', value: false }),
            {
                key: 'csm-3',
                field: 'description',
                value: 'Include the support savings.'
            }
        );

        expect(finalizeEdits(DRAFT, edits)).toEqual([
            { key: 'ai-1', include: false },
            {
                key: 'csm-3',
                include: true,
                action: csm3.action,
                description: 'Include the support savings.',
                priority: csm3.priority,
                dueDate: csm3.dueDate
            }
        ]);
    });

    it('sends the explicit tick of a field write that starts unticked', () => {
        const plan = {
            ...DRAFT,
            aiTasks: [
                { ...DRAFT.aiTasks[0], included: false, needsApproval: true },
                ...DRAFT.aiTasks.slice(1)
            ]
        };
        const key = plan.aiTasks[0].key;

        expect(finalizeEdits(plan, {})).toEqual([]);
        expect(
            finalizeEdits(
                plan,
                recordEdit({}, { key, field: 'include', value: true })
            )
        ).toEqual([{ key, include: true }]);
    });

    it('sends an empty list when nothing was edited', () => {
        expect(finalizeEdits(DRAFT, {})).toEqual([]);
    });
});

describe('withSubTaskStatus', () => {
    it('changes only the sub-task with that id', () => {
        const index = SETTLED.csmTasks.findIndex(
            (task) => task.subTasks.length === 4
        );
        const target = SETTLED.csmTasks[index].subTasks[2];

        const plan = withSubTaskStatus(SETTLED, target.taskId, 'completed');

        expect(
            plan.csmTasks[index].subTasks.map((subTask) => subTask.status)
        ).toEqual(['pending', 'pending', 'completed', 'pending']);
        expect(SETTLED.csmTasks[index].subTasks[2].status).toBe('pending');
    });
});
