/**
 * What the routes read of workflow executions. The read model is the routes' only way into the database (writes go
 * through workflows/); today it names the db/ queries a route may use, so a read can get its own SQL later without
 * touching a route.
 */
export { getExecution, latestExecution, opportunityIdsWithExecutions, type ExecutionRow } from '../db/executions.ts';
export { planViewStamp } from '../db/plan-view-state.ts';
