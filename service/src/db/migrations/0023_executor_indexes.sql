-- Issue 25: every claim and every completion rewrites a workflow_tasks row and, since neither can be a HOT update (both
-- change execution_status, which the claim's, the lease's and the queue depth's partial indexes filter on), writes a
-- new entry into every index whose predicate the new row meets. Indexes no query reads are pure cost on that path.
-- docs/performance.md gives the measurements (pg_stat_user_indexes after bench:executor, EXPLAIN of each query).

-- The seed's schema names idx_tasks_auto_execute ("auto-execute queue queries") and idx_tasks_execution_status
-- ("execution status filtering"); 0001 built them as full indexes on a boolean and on the status, which no query reads
-- (0 scans under bench:executor; EXPLAIN of every query that filters on either column picks a partial index instead)
-- but every row version writes. The names now go to the partial indexes that do that work: the claim's queue
-- (priority, age WHERE auto_execute AND queued) and the AI tasks by status (the queue depth, the task list's filter).
DROP INDEX idx_tasks_auto_execute;
DROP INDEX idx_tasks_execution_status;
ALTER INDEX idx_tasks_claimable RENAME TO idx_tasks_auto_execute;
ALTER INDEX idx_tasks_ai_status RENAME TO idx_tasks_execution_status;
-- The task list's status filter without the AI filter (GET /tasks?execution_status=…) reads both partial indexes as one
-- bitmap (listTasks writes the condition as two arms). No AI task writes an entry here; no other task normally has a
-- status at all, so this one stays near empty.
CREATE INDEX idx_tasks_status_not_ai ON workflow_tasks (execution_status) WHERE NOT auto_execute AND execution_status IS NOT NULL;

-- The running tasks by claim token (the completion, failure, deferral, lease renewal and release find their rows by
-- token), replacing the index on locked_until: the lease sweep reads the few running rows (at most workers × batch)
-- from this index and checks locked_until on each. locked_until is then in no index, so a lease renewal, which
-- changes nothing else, can be a HOT update (no index entry written).
DROP INDEX idx_tasks_running_lease;
CREATE INDEX idx_tasks_running ON workflow_tasks (claim_token) WHERE execution_status = 'running';

-- Subtasks by parent (the task list's subtasks, the ON DELETE CASCADE of the parent key): most tasks have no parent,
-- and every one of their row versions wrote a NULL entry here. `parent_task_id = x` / `IN (…)` imply IS NOT NULL.
DROP INDEX idx_tasks_parent;
CREATE INDEX idx_tasks_parent ON workflow_tasks (parent_task_id) WHERE parent_task_id IS NOT NULL;

-- Room on each page for a renewed lease's new row version next to the old one (a HOT update needs it on the same page).
ALTER TABLE workflow_tasks SET (fillfactor = 90);
