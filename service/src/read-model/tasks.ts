/** What the routes read of plan tasks: one task, a page of tasks, a finalized plan's task states, what blocks a task. */
export { unfinished } from '../db/dependencies.ts';
export {
  blockerList,
  getTask,
  listTasks,
  opportunitiesOfTasks,
  taskStatesOfPlan,
  type TaskFilters,
  type TaskRow,
  type TaskState,
} from '../db/tasks.ts';
