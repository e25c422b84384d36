-- Issue 14, a year at scale (5,000 opportunities, 50,000 plan tasks, 200,000 finished AI task rows): every query the
-- plan view, the task list, the execute endpoint, the executor and the operator run reads an index, not the table.
-- The operator's queue view and error list: the latest AI tasks, newest first.
CREATE INDEX idx_tasks_queue_recent ON workflow_tasks (updated_at DESC) WHERE auto_execute AND execution_status IS NOT NULL;
CREATE INDEX idx_tasks_last_errors ON workflow_tasks (updated_at DESC) WHERE auto_execute AND last_error IS NOT NULL;
-- The task list filtered by execution (the plan's tasks in the LWC), keyset-paged on (created_at, id).
CREATE INDEX idx_tasks_execution ON workflow_tasks (execution_id, created_at, id);
-- The task list by opportunity pages on (created_at, id) too: id makes the keyset an index range.
CREATE INDEX idx_tasks_opportunity_keyset ON workflow_tasks (opportunity_id, created_at, id);
DROP INDEX idx_tasks_opportunity;
-- The queue depth (/metrics, the CLI) counts AI tasks by status from the index alone.
CREATE INDEX idx_tasks_ai_status ON workflow_tasks (execution_status) WHERE auto_execute;
