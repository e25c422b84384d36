/** What the routes read of plan tasks: one task, a page of tasks, what blocks a task. */
export { blockerList, getTask, listTasks, opportunitiesOfTasks, type TaskFilters, type TaskRow } from '../db/tasks.ts';
