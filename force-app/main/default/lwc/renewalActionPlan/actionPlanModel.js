/**
 * Pure functions over the service's plan JSON: what the CSM sees with their unsaved edits applied,
 * what finalize sends, and whether AI tasks are still moving (which is when the component polls).
 */

import { plural } from 'c/actionPlanFormat';

const ACTIVE_EXECUTION = new Set(['queued', 'running']);

/**
 * true while any included AI task is queued or running; one waiting for unfinished tasks is not moving (it moves when
 * the CSM completes what it waits for, which reloads the plan).
 */
export function hasActiveAiTasks(plan) {
    return Boolean(
        plan &&
        plan.aiTasks.some(
            (task) =>
                task.included !== false &&
                ACTIVE_EXECUTION.has(task.executionStatus) &&
                !(task.blockedBy && task.blockedBy.length)
        )
    );
}

/**
 * The plan as the CSM sees it: each task with their pending edits applied.
 * @param {object} plan the service's plan
 * @param {Object<string, object>} edits pending edits by task key
 */
export function applyEdits(plan, edits) {
    const merge = (task) => {
        const edit = edits[task.key];
        if (!edit) {
            return { ...task, included: task.included !== false };
        }
        const { include, ...fields } = edit;
        return {
            ...task,
            ...fields,
            included: include === undefined ? task.included !== false : include
        };
    };
    return {
        ...plan,
        aiTasks: plan.aiTasks.map(merge),
        csmTasks: plan.csmTasks.map(merge)
    };
}

/**
 * Records one change to a task, keyed by task key. Returns a new edits object.
 * @param {Object<string, object>} edits
 * @param {{ key: string, field: string, value: * }} change field is `include` or a CSM task field
 */
export function recordEdit(edits, { key, field, value }) {
    return { ...edits, [key]: { ...edits[key], [field]: value } };
}

/**
 * The `edits` array for finalize: one entry per edited task, with the task's current values so the
 * service never has to guess what was left unchanged. AI tasks can only be unticked.
 */
export function finalizeEdits(plan, edits) {
    const edited = applyEdits(plan, edits);
    const aiEdits = edited.aiTasks
        .filter((task) => edits[task.key])
        .map((task) => ({ key: task.key, include: task.included }));
    const csmEdits = edited.csmTasks
        .filter((task) => edits[task.key])
        .map((task) => ({
            key: task.key,
            include: task.included,
            action: task.action,
            description: task.description,
            priority: Number(task.priority),
            dueDate: task.dueDate
        }));
    return [...aiEdits, ...csmEdits];
}

/** Sets the status of one sub-task (found by its taskId), returning a new plan. */
export function withSubTaskStatus(plan, taskId, status) {
    return {
        ...plan,
        csmTasks: plan.csmTasks.map((task) => ({
            ...task,
            subTasks: task.subTasks.map((subTask) => {
                return subTask.taskId === taskId
                    ? { ...subTask, status }
                    : subTask;
            })
        }))
    };
}

/** Sets the status of one CSM task (found by its taskId), returning a new plan. */
export function withTaskStatus(plan, taskId, status) {
    return {
        ...plan,
        csmTasks: plan.csmTasks.map((task) => {
            return task.taskId === taskId ? { ...task, status } : task;
        })
    };
}

/**
 * What finalizing will do, in the CSM's words: the AI tasks that change Salesforce records (those with field
 * changes) counted apart from the AI tasks that only work in the service (scheduling, tracking).
 * @example finalizeMessage(view) // '2 AI tasks will change Salesforce records, 1 other AI task will run, and 3 CSM tasks will be assigned to you.'
 */
export function finalizeMessage(view) {
    const ai = view.aiTasks.filter((task) => task.included);
    const changing = ai.filter((task) => (task.fieldChanges || []).length > 0);
    const others = ai.length - changing.length;
    const csm = view.csmTasks.filter((task) => task.included).length;
    const parts = [
        `${plural(changing.length, 'AI task')} will change Salesforce records`
    ];
    if (others > 0) {
        parts.push(`${plural(others, 'other AI task')} will run`);
    }
    parts.push(`${plural(csm, 'CSM task')} will be assigned to you`);
    const last = parts.pop();
    return `${parts.join(', ')}${parts.length > 1 ? ',' : ''} and ${last}.`;
}
